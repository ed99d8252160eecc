package expose

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// Journal is the durable record of what an operation may leave unfinished in
// the cloud, so that nothing ack-expose allocates or is asked to release is
// forgotten: `cleanup` finishes it, `status` mentions it. The command layer
// provides a file (internal/journal); nil journals nothing.
type Journal interface {
	List() ([]Record, error)
	// Update replaces the records with what fn makes of them, atomically
	// with respect to other processes.
	Update(fn func([]Record) []Record) error
	// Owned reports whether another running process is at work on r.
	Owned(r Record) bool
}

// RecordKind is what a journal record is about.
type RecordKind string

// Record kinds.
const (
	// RecordAllocated: an EIP ack-expose allocated whose association is not
	// confirmed. With only ClientToken set, the allocation's answer was lost.
	RecordAllocated RecordKind = "allocated"
	// RecordRelease: an EIP the user asked to release, not released yet.
	RecordRelease RecordKind = "release"
	// RecordOperation: a change the cloud accepted that may still run.
	RecordOperation RecordKind = "operation"
	// RecordUnconfirmed: a change of the allow list under commit confirmed,
	// made or about to be, not confirmed nor reverted yet. It outlives an
	// interrupted or killed process, so that status can say how to undo it;
	// cleanup leaves it alone.
	RecordUnconfirmed RecordKind = "unconfirmed"
)

// Record is one entry of the journal.
type Record struct {
	Kind      RecordKind `json:"kind"`
	ClusterID string     `json:"clusterId"`
	RegionID  string     `json:"regionId"`
	// AccountID is the account UID of the credentials that wrote the
	// record (Service.Account), when known: cleanup with another account's
	// credentials leaves it alone ("" in journals from before, and when
	// the account could not be told).
	AccountID string `json:"accountId,omitempty"`
	// Profile is the credentials profile that wrote the record
	// (Service.Profile), if one was named: cleanup names it to the user
	// of another account's credentials.
	Profile      string `json:"profile,omitempty"`
	AllocationID string `json:"allocationId,omitempty"`
	IPAddress    string `json:"ipAddress,omitempty"`
	ClientToken  string `json:"clientToken,omitempty"`
	Action       Action `json:"action,omitempty"`
	TaskID       string `json:"taskId,omitempty"`
	// Change and Restore are an unconfirmed change's command ("revoke") and
	// the command that puts the list back as it was.
	Change  string `json:"change,omitempty"`
	Restore string `json:"restore,omitempty"`
	// RevertFailed: the unconfirmed change cut this machine off, and putting
	// the list back failed; Restore is how to do it.
	RevertFailed bool `json:"revertFailed,omitempty"`
	PID          int  `json:"pid"`
	// PIDStart is when process PID started (Linux: clock ticks after boot),
	// so that a reused PID is not taken for it.
	PIDStart uint64    `json:"pidStart,omitempty"`
	Since    time.Time `json:"since"`
}

func (r Record) key() string {
	id := r.AllocationID
	if id == "" {
		id = "token:" + r.ClientToken
	}
	if r.Kind == RecordOperation || r.Kind == RecordUnconfirmed {
		id = r.ClusterID
	}
	return string(r.Kind) + "/" + id
}

// allocatedName is the Name ack-expose gives an EIP it allocates (VPC
// AllocateEipAddress: 1-128 characters, starting with a letter; letters,
// digits, ".", "_", "-").
func allocatedName(clusterID string) string { return "ack-expose-" + clusterID }

// allocatedMark starts the Description of every EIP ack-expose allocates.
const allocatedMark = "allocated by ack-expose for cluster "

// allocatedDescription is the Description ack-expose gives an EIP it
// allocates: the cluster and the request's client token, so that an
// allocation whose answer was lost can be found again (1-256 characters,
// starting with a letter).
func allocatedDescription(clusterID, token string) string {
	return fmt.Sprintf("%s%s (client token %s)", allocatedMark, clusterID, token)
}

// allocatedFor returns the cluster a Description says the EIP was allocated
// for by ack-expose, and whether it says so.
func allocatedFor(description string) (clusterID string, ok bool) {
	rest, ok := strings.CutPrefix(description, allocatedMark)
	if !ok {
		return "", false
	}
	id, _, _ := strings.Cut(rest, " ")
	return id, id != ""
}

// journalPut adds or replaces records (by kind and EIP), as this process's;
// a record without Since gets the time now. The account of the credentials
// is asked within ctx (the operation's: --timeout and Ctrl-C bound it); a
// record whose account could not be told is written without it.
func (s *Service) journalPut(ctx context.Context, recs ...Record) error {
	if s.Journal == nil {
		return nil
	}
	now := time.Now().UTC()
	account := s.account(ctx)
	return s.Journal.Update(func(list []Record) []Record {
		for _, r := range recs {
			r.PID = os.Getpid()
			if r.AccountID == "" {
				r.AccountID, r.Profile = account, s.Profile
			}
			if r.Since.IsZero() {
				r.Since = now
			}
			list = dropKey(list, r.key())
			list = append(list, r)
		}
		return list
	})
}

// account is the account UID of the credentials in use, "" when unknown
// (no Account hook, or it failed).
func (s *Service) account(ctx context.Context) string {
	if s.Account == nil {
		return ""
	}
	id, err := s.Account(ctx)
	if err != nil {
		return ""
	}
	return id
}

// journalForget drops records.
func (s *Service) journalForget(recs ...Record) {
	if s.Journal == nil || len(recs) == 0 {
		return
	}
	err := s.Journal.Update(func(list []Record) []Record {
		for _, r := range recs {
			list = dropKey(list, r.key())
		}
		return list
	})
	if err != nil && s.Log != nil {
		s.Log("journal: %v", err)
	}
}

func dropKey(list []Record, key string) []Record {
	out := list[:0]
	for _, r := range list {
		if r.key() != key {
			out = append(out, r)
		}
	}
	return out
}

// journalList returns the records, nil when there is no journal or it
// cannot be read (status must not fail because of it).
func (s *Service) journalList() []Record {
	if s.Journal == nil {
		return nil
	}
	list, err := s.Journal.List()
	if err != nil && s.Log != nil {
		s.Log("journal: %v", err)
	}
	return list
}
