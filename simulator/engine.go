package simulator

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ack-expose/ack-expose/internal/atomicfile"
	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/errkind"
	"github.com/gofrs/flock"
)

// Engine runs simulated API calls against one state file. Every call locks the
// file, loads it, advances simulated time, consumes a matching fault, runs,
// counts the call, and writes the result back atomically before unlocking; a
// read that changed nothing appends its count to the calls file beside the
// state instead (calls.go). The file is the truth, so any number of
// processes may share it; an Engine only remembers the state it last wrote
// or read, to skip decoding a file nobody else has written since (a
// long-lived `simulator serve` makes thousands of calls).
type Engine struct {
	Path string
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time
	// Sleep models API latency (time.Sleep when nil).
	Sleep func(time.Duration)

	mu     sync.Mutex // guards cached and preloading; the file lock serialises their use
	cached *cachedState
	// preloading is closed when the preload StartPreload began has ended.
	preloading chan struct{}
	// out renders the states this engine saves, its buffers reused call
	// after call (a fresh 20 KB to 1 MB each time costs page faults).
	outMu sync.Mutex
	out   *stateEncoder
	// in holds the bytes of the file a call reads, reused likewise.
	inMu sync.Mutex
	in   bytes.Buffer
}

// stateEncoder renders states as Encode does, into a buffer it reuses.
type stateEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// encode renders s; sizeHint is the size expected (the file read), else
// the size of the last state rendered is: the buffer is grown once, not
// through a doubling series of them.
func (w *stateEncoder) encode(s *State, sizeHint int) ([]byte, error) {
	n := max(sizeHint, w.buf.Len())
	w.buf.Reset()
	w.buf.Grow(n + n/8)
	if w.enc == nil {
		w.enc = json.NewEncoder(&w.buf)
		w.enc.SetIndent("", "  ")
	}
	if err := w.enc.Encode(s); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// cachedState is the state an engine wrote to (or read from) target, and
// the length and hash of the file's bytes then. A file is only ever taken
// for the cached state when its bytes hash the same: no clock granularity
// or inode reuse can make another process's write look like ours.
type cachedState struct {
	target string
	size   int
	sum    uint64
	state  *State
}

// fileSeed seeds the hash of the cached file's bytes (one per process: the
// hash is never stored).
var fileSeed = maphash.MakeSeed()

// cacheOf is the cached form of s, read from or written to target as data.
func cacheOf(target string, data []byte, s *State) *cachedState {
	return &cachedState{target: target, size: len(data), sum: maphash.Bytes(fileSeed, data), state: s}
}

// VerifyReads makes every read that claims to change nothing prove it: the
// state is rendered before and after, and a difference is an error. The
// test suites turn it on, so that a read which changes the world without
// saying so (State.dirty) fails them instead of losing the change.
var VerifyReads bool

// New returns an engine over the state file at path.
func New(path string) *Engine { return &Engine{Path: path} }

// StateError is a state file that is missing or cannot be used. The file is
// never written after one.
type StateError struct {
	Path    string
	Missing bool
	Err     error
}

func (e *StateError) Error() string {
	if e.Missing {
		return fmt.Sprintf("simulator state file %s does not exist; create it with `kubectl ack-expose simulator init --state %s`", e.Path, e.Path)
	}
	return fmt.Sprintf("simulator state file %s: %v; fix it, or recreate it with `kubectl ack-expose simulator init --force --state %s`", e.Path, e.Err, e.Path)
}

func (e *StateError) Unwrap() error { return e.Err }

// ErrorKind makes a missing or unusable state file bad input (exit 2) to
// errdefs.KindOf, which the simulator does not import.
func (e *StateError) ErrorKind() string { return errkind.Invalid }

// APIError is an error answered by a simulated API, with the cloud's code and
// HTTP status. The fronts render it in their API's wire shape.
type APIError struct {
	Action     string
	Code       string
	Message    string
	HTTPStatus int
	RequestID  string
	// Dropped: the call was carried out but its answer is lost; the HTTP
	// front closes the connection without a response.
	Dropped bool
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Action, e.Code, e.Message)
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// NewRequestID returns a request ID shaped like the cloud's.
func NewRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

func randomSuffix(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// lock takes the exclusive lock that serialises every access to the file. It
// returns the file to read and write: a symlinked state file is the file the
// link names, which keeps the link and shares its lock (beside the target)
// with every other path to it.
func (e *Engine) lock() (*flock.Flock, string, error) {
	target, err := atomicfile.ResolveLinks(e.Path)
	if err != nil {
		return nil, "", &StateError{Path: e.Path, Err: err}
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return nil, "", err
	}
	l := flock.New(target+".lock", flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	if err := l.Lock(); err != nil {
		return nil, "", fmt.Errorf("locking %s: %w", target+".lock", err)
	}
	return l, target, nil
}

// load reads the state under the lock: the state this engine last wrote
// (or read) when the file's bytes are still those, else the file decoded,
// and the cached form of those bytes. The caller owns the state it gets;
// it is remembered again only once saved (remember). Its calls are the
// file's: those counted beside it are not added (loadAll).
func (e *Engine) load(target string) (*State, *cachedState, error) {
	e.mu.Lock()
	p := e.preloading
	e.preloading = nil
	e.mu.Unlock()
	if p != nil {
		<-p // what it reads is what this call would read
	}
	e.mu.Lock()
	c := e.cached
	e.cached = nil
	e.mu.Unlock()
	e.inMu.Lock()
	defer e.inMu.Unlock()
	data, err := readInto(&e.in, target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, &StateError{Path: e.Path, Missing: true, Err: err}
	}
	if err != nil {
		return nil, nil, &StateError{Path: e.Path, Err: err}
	}
	if c != nil && c.target == target && c.size == len(data) && c.sum == maphash.Bytes(fileSeed, data) {
		return c.state, c, nil
	}
	s, err := Decode(data) // copies what it keeps: the buffer is reused
	if err != nil {
		return nil, nil, &StateError{Path: e.Path, Err: err}
	}
	return s, cacheOf(target, data, s), nil
}

// loadAll is load with the calls counted beside the file added: the state
// every reader of the counts sees, and every write starts from.
func (e *Engine) loadAll(target string) (*State, error) {
	s, _, err := e.load(target)
	if err != nil {
		return nil, err
	}
	pending, err := readPending(target, s.CallsEpoch)
	if err != nil {
		return nil, err
	}
	s.fold(pending)
	return s, nil
}

// readInto reads the file at path into buf (reset first) and returns its
// bytes, valid until buf is next used.
func readInto(buf *bytes.Buffer, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf.Reset()
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		buf.Grow(int(fi.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// save replaces the file atomically with s, which holds every call counted
// beside the file (loadAll): the calls file goes. It does not fsync: a
// simulator need not survive a power loss.
func (e *Engine) save(target string, s *State) error {
	_, err := e.saveAndHash(target, s)
	return err
}

// saveAndHash is save, and the cached form of what it wrote (see remember).
func (e *Engine) saveAndHash(target string, s *State) (*cachedState, error) {
	e.outMu.Lock()
	defer e.outMu.Unlock()
	if e.out == nil {
		e.out = &stateEncoder{}
	}
	s.CallsEpoch = randomSuffix(12) // the calls file's lines so far are not this state's
	data, err := e.out.encode(s, 0)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Replace(target, data, 0o600); err != nil {
		return nil, err
	}
	dropPending(target)
	s.dirty = false
	return cacheOf(target, data, s), nil
}

// Preload reads the state file into the engine's memory, without counting
// a call or writing anything: a process about to make calls does it while
// it does other work (the plugin, while it reads the kubeconfig). It does
// nothing when the file does not exist, and leaves every error for the
// calls to meet and report. It reads without the lock, which it would
// have to create: the file is only ever replaced whole (rename), and a read
// that is stale by the first call is not used then, its bytes no longer
// being the file's.
func (e *Engine) Preload() {
	target, err := atomicfile.ResolveLinks(e.Path)
	if err != nil {
		return
	}
	data, err := os.ReadFile(target)
	if err != nil {
		return
	}
	s, err := Decode(data)
	if err != nil {
		return
	}
	e.remember(cacheOf(target, data, s), false)
}

// StartPreload runs Preload in the background. The engine's first call
// waits for it to end rather than decode the same file beside it.
func (e *Engine) StartPreload() {
	done := make(chan struct{})
	e.mu.Lock()
	e.preloading = done
	e.mu.Unlock()
	go func() {
		defer close(done)
		e.Preload()
	}()
}

// remember keeps c for the next load; unless newer (just saved), not over
// a state a call has remembered meanwhile.
func (e *Engine) remember(c *cachedState, newer bool) {
	e.mu.Lock()
	if newer || e.cached == nil {
		e.cached = c
	}
	e.mu.Unlock()
}

// Call runs one simulated API call of the named action. fn sees the advanced
// state and may change it; the state is saved unless loading it failed. The
// configured API latency is spent after the lock is released, as a network would.
func (e *Engine) Call(action string, fn func(s *State, now time.Time) error) error {
	return e.run(action, fn, false)
}

// read is Call for an action that only reads: fn must not change the state,
// except through what marks it dirty (defaults created on first use). When
// nothing changed (no fault consumed, nothing finished by the clock), the
// call is counted beside the state instead of rewriting it.
func (e *Engine) read(action string, fn func(s *State, now time.Time) error) error {
	return e.run(action, fn, true)
}

func (e *Engine) run(action string, fn func(s *State, now time.Time) error, read bool) error {
	latency, err := e.call(action, fn, read)
	if latency > 0 {
		sleep := e.Sleep
		if sleep == nil {
			sleep = time.Sleep
		}
		sleep(latency)
	}
	return err
}

func (e *Engine) call(action string, fn func(s *State, now time.Time) error, read bool) (time.Duration, error) {
	l, target, err := e.lock()
	if err != nil {
		return 0, err
	}
	defer l.Unlock()
	s, cached, err := e.load(target)
	if err != nil {
		return 0, err
	}
	var before []byte
	if read && VerifyReads {
		if before, err = Encode(s); err != nil {
			return 0, err
		}
	}
	now := e.now()
	s.advance(now)
	f := s.consumeFault(action)
	var callErr error
	delay := time.Duration(0)
	if f != nil {
		delay = f.Delay.D()
	}
	if f != nil && f.Code != "" {
		callErr = &APIError{Code: f.Code, Message: f.Message, HTTPStatus: f.HTTPStatus}
	} else {
		callErr = fn(s, now)
		if f != nil && f.Drop {
			callErr = &APIError{Code: "ConnectionReset", Message: "the connection was closed before the answer was sent", HTTPStatus: 0, Dropped: true}
		}
	}
	var apiErr *APIError
	if errors.As(callErr, &apiErr) {
		apiErr.Action = action
		if apiErr.RequestID == "" {
			apiErr.RequestID = NewRequestID()
		}
	}
	latency := s.Timing.APILatency.D() + delay
	// A state without an epoch (an older file) is written once to get one:
	// its lines would otherwise count for any other epoch-less file put
	// in its place.
	counted := false
	if read && !s.dirty && s.CallsEpoch != "" {
		size, err := e.counted(cached, before, action, now)
		if err != nil {
			return 0, err
		}
		if size < pendingCallsMax {
			return latency, callErr
		}
		counted = true // the calls file, past its bound, is folded in now: this call's line with it
	}
	pending, err := readPending(target, s.CallsEpoch)
	if err != nil {
		return 0, err
	}
	s.fold(pending)
	if !counted {
		s.Calls[action]++
		s.logCall(action, now)
	}
	saved, err := e.saveAndHash(target, s)
	if err != nil {
		return 0, fmt.Errorf("writing simulator state %s: %w", e.Path, err)
	}
	e.remember(saved, true)
	return latency, callErr
}

// counted counts a read that changed nothing beside the state, keeps the
// state, still the file's (c), for the next call, and returns the size of
// the calls file. before is the state rendered before the read
// (VerifyReads).
func (e *Engine) counted(c *cachedState, before []byte, action string, now time.Time) (int64, error) {
	s := c.state
	if before != nil {
		after, err := Encode(s)
		if err != nil {
			return 0, err
		}
		if !bytes.Equal(before, after) {
			return 0, fmt.Errorf("simulator: %s is a read but changed the state without marking it dirty", action)
		}
	}
	size, err := appendCall(c.target, s.CallsEpoch, action, now)
	if err != nil {
		return 0, fmt.Errorf("writing simulator calls %s: %w", callsPath(c.target), err)
	}
	e.remember(c, true)
	return size, nil
}

// View runs fn on the advanced state without counting a call or writing the
// file: for `simulator show` and tests.
func (e *Engine) View(fn func(s *State) error) error {
	return e.view(fn, true)
}

// peek is View for a reader that does not look at the call counts (the
// network's, the accounts'): the calls file beside the state is not read.
func (e *Engine) peek(fn func(s *State) error) error {
	return e.view(fn, false)
}

func (e *Engine) view(fn func(s *State) error, withCalls bool) error {
	l, target, err := e.lock()
	if err != nil {
		return err
	}
	defer l.Unlock()
	load := e.loadAll
	if !withCalls {
		load = func(target string) (*State, error) {
			s, _, err := e.load(target)
			return s, err
		}
	}
	s, err := load(target)
	if err != nil {
		return err
	}
	s.advance(e.now())
	return fn(s)
}

// Update runs fn on the advanced state and saves it, without counting a call:
// for test fixtures that add faults or change timing.
func (e *Engine) Update(fn func(s *State) error) error {
	l, target, err := e.lock()
	if err != nil {
		return err
	}
	defer l.Unlock()
	s, err := e.loadAll(target)
	if err != nil {
		return err
	}
	s.advance(e.now())
	if err := fn(s); err != nil {
		return err
	}
	saved, err := e.saveAndHash(target, s)
	if err != nil {
		return err
	}
	if s.check() != nil {
		// A fixture wrote what Decode refuses (the API's calls cannot):
		// kept, it would serve this engine a file every other reader
		// rejects. The next load meets the error.
		saved = nil
	}
	e.remember(saved, true)
	return nil
}

// Write creates or replaces the state file with s, atomically and under the lock.
// Unless force, an existing file is left alone and an error returned.
func (e *Engine) Write(s *State, force bool) error {
	l, target, err := e.lock()
	if err != nil {
		return err
	}
	defer l.Unlock()
	if !force {
		if _, err := os.Stat(target); err == nil {
			return fs.ErrExist
		}
	}
	if s.Calls == nil {
		s.Calls = map[string]int{}
	}
	return e.save(target, s)
}

// consumeFault takes one use of the first fault of action, if any.
func (s *State) consumeFault(action string) *Fault {
	for i := range s.Faults {
		f := s.Faults[i]
		if f.Action != action {
			continue
		}
		if f.After > 0 { // this call passes, and counts
			s.Faults[i].After--
			s.dirty = true
			continue
		}
		if f.Remaining == 0 { // every call, until cleared
			return &f
		}
		s.dirty = true
		s.Faults[i].Remaining--
		if s.Faults[i].Remaining == 0 {
			s.Faults = append(s.Faults[:i], s.Faults[i+1:]...)
		}
		return &f
	}
	return nil
}

// takeTaskFailure returns the error and final cluster state of a task that
// a FaultTaskFailure makes fail, or nil.
func (s *State) takeTaskFailure() (*TaskError, string) {
	f := s.consumeFault(FaultTaskFailure)
	if f == nil {
		return nil, ""
	}
	return &TaskError{Code: f.Code, Message: f.Message}, f.ClusterState
}

// advance applies everything that wall-clock time has finished by now.
func (s *State) advance(now time.Time) {
	for i := range s.Tasks {
		t := &s.Tasks[i]
		if t.State == "running" && t.EIPsAt != nil && !now.Before(*t.EIPsAt) && now.Before(t.FinishAt) {
			s.moveEIPs(t)
			s.dirty = true
		}
		if t.State != "running" || now.Before(t.FinishAt) {
			continue
		}
		t.EIPsAt = nil
		s.finish(t)
		s.dirty = true
	}
	kept := s.EIPs[:0]
	for _, e := range s.EIPs {
		if e.Status == "Releasing" && e.ReleaseAt != nil && !now.Before(*e.ReleaseAt) {
			s.dirty = true
			continue
		}
		kept = append(kept, e)
	}
	s.EIPs = kept
}

// moveEIPs starts the EIPs of a task moving: the new one Associating, the
// old one Unassociating.
func (s *State) moveEIPs(t *Task) {
	t.EIPsAt = nil
	if t.NewEIP == t.OldEIP {
		return
	}
	if x, c := s.eip(t.NewEIP), s.cluster(t.ClusterID); x != nil && c != nil {
		x.Status, x.InstanceID, x.InstanceType = "Associating", c.APIServerLoadBalancerID, cloudenum.InstanceTypeSLB
	}
	if x := s.eip(t.OldEIP); x != nil {
		x.Status = "Unassociating"
	}
}

// finish completes a task: the cluster is running again and the EIPs settle.
func (s *State) finish(t *Task) {
	t.Updated = t.FinishAt
	c := s.cluster(t.ClusterID)
	newEIP, oldEIP := s.eip(t.NewEIP), s.eip(t.OldEIP)
	if t.Fail != nil {
		// The API server rolls back: the old EIP stays, the new one is freed.
		t.State, t.Error = "failed", t.Fail // AssumeTaskFailed
		if newEIP != nil && newEIP.AllocationID != t.OldEIP {
			setAvailable(newEIP)
		}
		if oldEIP != nil && c != nil {
			setInUse(oldEIP, c)
		}
		if c != nil {
			c.State = "running"
			if t.FailClusterState != "" {
				c.State = t.FailClusterState
			}
		}
		return
	}
	t.State = "success"
	if oldEIP != nil && t.OldEIP != t.NewEIP {
		setAvailable(oldEIP) // never released, whoever allocated it: AssumeEIPFalseKeeps
	}
	if c != nil {
		c.State = "running"
		c.EIPAllocationID = t.NewEIP
		if newEIP != nil {
			setInUse(newEIP, c)
		}
		if t.CertSANs {
			c.ExtraSans = t.NewSANs
		}
	}
}

func setAvailable(e *EIP) {
	e.Status, e.InstanceID, e.InstanceType = "Available", "", ""
}

func setInUse(e *EIP, c *Cluster) {
	e.Status, e.InstanceID, e.InstanceType = "InUse", c.APIServerLoadBalancerID, cloudenum.InstanceTypeSLB
}

// ClearFaults removes the faults of action (every fault when action is "")
// and returns how many it removed. It reads the faults it removes only for
// their action, so that a state file whose faults do not validate (edited by
// hand) can still be repaired; the rest of the state must validate.
func (e *Engine) ClearFaults(action string) (int, error) {
	l, target, err := e.lock()
	if err != nil {
		return 0, err
	}
	defer l.Unlock()
	data, err := os.ReadFile(target)
	if err != nil {
		return 0, &StateError{Path: e.Path, Missing: errors.Is(err, fs.ErrNotExist), Err: err}
	}
	var top map[string]json.RawMessage
	var faults []json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return 0, &StateError{Path: e.Path, Err: fmt.Errorf("not valid simulator JSON: %v", err)}
	}
	if raw, ok := top["faults"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &faults); err != nil {
			return 0, &StateError{Path: e.Path, Err: fmt.Errorf("faults: %v", err)}
		}
	}
	var kept []json.RawMessage
	for _, raw := range faults {
		var f struct {
			Action string `json:"action"`
		}
		if json.Unmarshal(raw, &f) == nil && action != "" && f.Action != action {
			kept = append(kept, raw)
		}
	}
	if kept == nil {
		kept = []json.RawMessage{}
	}
	if top["faults"], err = json.Marshal(kept); err != nil {
		return 0, err
	}
	if data, err = json.Marshal(top); err != nil {
		return 0, err
	}
	s, err := Decode(data)
	if err != nil {
		return 0, &StateError{Path: e.Path, Err: err}
	}
	pending, err := readPending(target, s.CallsEpoch)
	if err != nil {
		return 0, err
	}
	s.fold(pending)
	s.advance(e.now())
	return len(faults) - len(kept), e.save(target, s)
}
