// Package openapi serves the simulator engine as Alibaba Cloud's CS (ROA) and
// VPC (RPC) OpenAPI over HTTP, in their wire formats, so the real backend and
// any official SDK can be pointed at it unchanged. It accepts both request
// generations: the classic one (RPC: Action, Version and a Signature in the
// query; ROA: "Authorization: acs AK:signature") and the ACS3 one (x-acs-action
// and x-acs-version headers, "Authorization: ACS3-HMAC-SHA256 ..."). It checks
// that a request carries credentials, not what they are: the simulator has no
// accounts.
package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/simulator"
)

// API versions served.
const (
	CSVersion  = "2015-12-15"
	VPCVersion = "2016-04-28"
)

// StateInvalidCode is the error code of a request the server cannot answer
// because its state file is missing or unusable (see errdefs.KindForCloudCode).
const StateInvalidCode = "SimulatorStateInvalid"

// Server is the HTTP front of an engine.
type Server struct {
	Engine *simulator.Engine
	// Accounts, when set, are other accounts, each a state file of its own:
	// a request signed with one of these AccessKey IDs is served from that
	// account's engine (the others from Engine). Several accounts for the
	// multi-account audit, with old state files unchanged.
	Accounts map[string]*simulator.Engine
	// Logf, when set, logs one line per request (method, path, action, status).
	Logf func(format string, args ...any)
	// cloud is every account, on the copy that serves one request of another
	// account than Engine's (AssumeRole reaches the role's account).
	cloud *simulator.Accounts
}

// New returns a server over an engine.
func New(e *simulator.Engine) *Server { return &Server{Engine: e} }

// accounts is the cloud the server serves: Engine, and Accounts by AccessKey ID.
func (s *Server) accounts() *simulator.Accounts {
	if s.cloud != nil {
		return s.cloud
	}
	return &simulator.Accounts{Default: s.Engine, ByKey: s.Accounts}
}

// ServeHTTP routes a request to the CS or VPC API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == CredentialsURIPath {
		serveCredentialsURI(w, r)
		return
	}
	rw := &statusWriter{ResponseWriter: w, status: 200}
	params, err := rpcParams(r)
	key := accessKeyIDOf(r, params)
	if cloud := s.accounts(); err == nil {
		if e := cloud.For(key); e != s.Engine {
			s = &Server{Engine: e, Accounts: s.Accounts, Logf: s.Logf, cloud: cloud}
		}
	}
	action := r.Header.Get("x-acs-action")
	if action == "" {
		action = params.Get("Action")
	}
	version := r.Header.Get("x-acs-version")
	if version == "" {
		version = params.Get("Version")
	}
	isRPC := params.Get("Action") != "" || version == VPCVersion || version == SLBVersion || version == STSVersion
	switch {
	case err != nil:
		writeRPCError(rw, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: err.Error()})
	case isRPC:
		if msg := checkRPCAuth(r, params); msg != "" {
			writeRPCError(rw, &simulator.APIError{Code: "MissingAccessKeyId", HTTPStatus: 400, Message: msg})
		} else if version == SLBVersion {
			s.serveSLB(rw, action, params)
		} else if version == STSVersion {
			s.serveSTS(rw, key, action, params)
		} else {
			s.serveVPC(rw, action, params)
		}
	default:
		if msg := checkROAAuth(r); msg != "" {
			writeCSError(rw, &simulator.APIError{Code: "MissingAuthorization", HTTPStatus: 400, Message: msg})
		} else {
			s.serveCS(rw, r)
		}
	}
	if s.Logf != nil {
		s.Logf("%s %s action=%q version=%q -> %d", r.Method, r.URL.Path, action, version, rw.status)
	}
}

// CredentialsURIPath serves a temporary credential in the form a
// CredentialsURI profile (or ALIBABA_CLOUD_CREDENTIALS_URI) reads, so that
// mode can be tried against `simulator serve`.
const CredentialsURIPath = "/simulator/credentials"

// SimulatorSTSAccessKeyID is the AccessKey ID of the credential served at
// CredentialsURIPath.
const SimulatorSTSAccessKeyID = "STS.SimulatorCredentialsURI"

func serveCredentialsURI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, simulator.NewRequestID(), map[string]string{"Code": "MethodNotAllowed"})
		return
	}
	writeJSON(w, http.StatusOK, simulator.NewRequestID(), map[string]string{
		"Code":            "Success",
		"AccessKeyId":     SimulatorSTSAccessKeyID,
		"AccessKeySecret": "simulator-credentials-uri-secret",
		"SecurityToken":   "simulator-credentials-uri-token",
		"Expiration":      time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04:05Z"),
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// rpcParams merges the query string and a form body, as RPC APIs read both.
func rpcParams(r *http.Request) (url.Values, error) {
	params := r.URL.Query()
	ct := r.Header.Get("Content-Type")
	if r.Body != nil && strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, fmt.Errorf("the form body does not parse: %v", err)
		}
		for k, vs := range form {
			for _, v := range vs {
				params.Add(k, v)
			}
		}
	}
	return params, nil
}

// checkRPCAuth accepts a classic signed query (AccessKeyId + Signature) or an
// ACS3 / bearer Authorization header, and says what is missing otherwise.
func checkRPCAuth(r *http.Request, p url.Values) string {
	if authHeaderOK(r.Header.Get("Authorization")) {
		return ""
	}
	if p.Get("AccessKeyId") == "" {
		return "AccessKeyId is mandatory for this action."
	}
	if p.Get("Signature") == "" {
		return "Signature is mandatory for this action."
	}
	return ""
}

func checkROAAuth(r *http.Request) string {
	if authHeaderOK(r.Header.Get("Authorization")) {
		return ""
	}
	return "The Authorization header is mandatory for this action; sign the request with an AccessKey."
}

func authHeaderOK(h string) bool {
	switch {
	case strings.HasPrefix(h, "acs "):
		ak, sig, ok := strings.Cut(strings.TrimPrefix(h, "acs "), ":")
		return ok && ak != "" && sig != ""
	case strings.HasPrefix(h, "ACS3-HMAC-SHA256 "), strings.HasPrefix(h, "ACS3-HMAC-SM3 "), strings.HasPrefix(h, "ACS3-RSA-SHA256 "):
		return strings.Contains(h, "Credential=") && strings.Contains(h, "Signature=")
	case strings.HasPrefix(h, "Bearer "):
		return len(h) > len("Bearer ")
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, requestID string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"code":"InternalError","message":"encoding the response failed"}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("x-acs-request-id", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// asAPIError turns an engine error into the API error it stands for; a state
// file problem is the service failing (500), named so the user can fix it.
func asAPIError(err error) *simulator.APIError {
	var apiErr *simulator.APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	var stateErr *simulator.StateError
	if errors.As(err, &stateErr) {
		return &simulator.APIError{Code: StateInvalidCode, HTTPStatus: 500, Message: err.Error(), RequestID: simulator.NewRequestID()}
	}
	return &simulator.APIError{Code: "InternalError", HTTPStatus: 500, Message: err.Error(), RequestID: simulator.NewRequestID()}
}

// drop closes the connection without an answer, for a fault that loses it.
func drop(w http.ResponseWriter) {
	if sw, ok := w.(*statusWriter); ok {
		w = sw.ResponseWriter
		sw.status = 0
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // the server closes the connection
}

// writeCSError writes a CS (ROA) error: lower-case fields.
func writeCSError(w http.ResponseWriter, e *simulator.APIError) {
	if e.Dropped {
		drop(w)
		return
	}
	if e.RequestID == "" {
		e.RequestID = simulator.NewRequestID()
	}
	writeJSON(w, e.HTTPStatus, e.RequestID, map[string]any{
		"code": e.Code, "message": e.Message, "requestId": e.RequestID, "status": e.HTTPStatus,
	})
}

// writeRPCError writes a VPC (RPC) error: capitalised fields.
func writeRPCError(w http.ResponseWriter, e *simulator.APIError) {
	if e.Dropped {
		drop(w)
		return
	}
	if e.RequestID == "" {
		e.RequestID = simulator.NewRequestID()
	}
	writeJSON(w, e.HTTPStatus, e.RequestID, map[string]any{
		"RequestId": e.RequestID, "HostId": "vpc.simulator.local", "Code": e.Code, "Message": e.Message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.Code) + "&product=Vpc",
	})
}

func atoiDefault(s string, d int) (int, error) {
	if s == "" {
		return d, nil
	}
	return strconv.Atoi(s)
}
