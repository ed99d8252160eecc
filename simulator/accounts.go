package simulator

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Role is a RAM role of a simulated account: its name, and the accounts
// whose identities its trust policy lets assume it (the trust policy's
// `acs:ram::<uid>:root` principals; "*" trusts every account).
type Role struct {
	Name            string   `json:"name"`
	TrustedAccounts []string `json:"trustedAccounts"`
}

// Accounts is a simulated cloud of several accounts, each a state file: the
// default one, and one per AccessKey ID (`simulator serve --account AK=FILE`,
// ACK_EXPOSE_SIMULATOR_ACCOUNTS). A request signed with an AccessKey ID of
// ByKey is served by that account, one signed with an STS AccessKey ID that
// AssumeRole issued by the account of the role, the others by Default.
type Accounts struct {
	Default *Engine
	ByKey   map[string]*Engine
}

// stsKeyPrefix starts the AccessKey IDs AssumeRole issues:
// STS.<account uid>.<role name>.
const stsKeyPrefix = "STS."

// For is the engine that serves requests signed with accessKeyID.
func (a *Accounts) For(accessKeyID string) *Engine {
	if e := a.ByKey[accessKeyID]; e != nil {
		return e
	}
	if uid, _, ok := parseSTSKey(accessKeyID); ok {
		if e := a.ByAccount(uid); e != nil {
			return e
		}
	}
	return a.Default
}

// ByAccount is the engine of the account uid, or nil.
func (a *Accounts) ByAccount(uid string) *Engine {
	for _, e := range a.engines() {
		id := ""
		if e.peek(func(s *State) error { id = s.AccountID; return nil }) == nil && id == uid {
			return e
		}
	}
	return nil
}

func (a *Accounts) engines() []*Engine {
	out := []*Engine{a.Default}
	keys := make([]string, 0, len(a.ByKey))
	for k := range a.ByKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, a.ByKey[k])
	}
	return out
}

// parseSTSKey reads the account and role out of an AccessKey ID AssumeRole
// issued.
func parseSTSKey(id string) (uid, role string, ok bool) {
	rest, ok := strings.CutPrefix(id, stsKeyPrefix)
	if !ok {
		return "", "", false
	}
	uid, role, ok = strings.Cut(rest, ".")
	if !ok || !accountUID().MatchString(uid) || role == "" {
		return "", "", false
	}
	return uid, role, true
}

// assumedRoleID is the RoleId of every simulated role.
const assumedRoleID = "300000000000000001"

// AssumedRole is what STS AssumeRole answers.
type AssumedRole struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
	Expiration                                  time.Time
	AssumedRoleID, Arn                          string
}

// The patterns compile on first use: their counted repetitions expand into
// large programs, which every start of the plugin would otherwise pay for
// (about 1.5 ms and 1,800 allocations), STS or not.
var (
	accountUID  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{16}$`) })
	roleArnRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^acs:ram::([0-9]{16}):role/([A-Za-z0-9.-]{1,64})$`) })
	sessionName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`) })
)

// AssumeRole is STS AssumeRole, called with the credentials of callerKey:
// the role must exist in the account its ARN names (else
// EntityNotExist.Role) and trust the caller's account (else NoPermission).
// The call is counted (and may fault) in the caller's account. durationSeconds
// 0 is the default, 3600.
func (a *Accounts) AssumeRole(callerKey, roleArn, session string, durationSeconds int) (AssumedRole, error) {
	var caller string
	err := a.For(callerKey).read("AssumeRole", func(s *State, _ time.Time) error {
		caller = s.AccountID
		switch {
		case roleArn == "":
			return &APIError{Code: "MissingRoleArn", HTTPStatus: 400, Message: "RoleArn is mandatory for this action."}
		case !roleArnRE().MatchString(roleArn):
			return &APIError{Code: "InvalidParameter.RoleArn", HTTPStatus: 400, Message: "The parameter RoleArn is wrongly formed."}
		case !sessionName().MatchString(session):
			return &APIError{Code: "InvalidParameter.RoleSessionName", HTTPStatus: 400, Message: "The parameter RoleSessionName is wrongly formed."}
		case durationSeconds != 0 && (durationSeconds < 900 || durationSeconds > 3600):
			return &APIError{Code: "InvalidParameter.DurationSeconds", HTTPStatus: 400, Message: "The Min/Max value of DurationSeconds is 15min/1hr."}
		}
		return nil
	})
	if err != nil {
		return AssumedRole{}, err
	}
	m := roleArnRE().FindStringSubmatch(roleArn)
	uid, name := m[1], m[2]
	var role *Role
	if e := a.ByAccount(uid); e != nil {
		_ = e.peek(func(s *State) error {
			for i := range s.Roles {
				if strings.EqualFold(s.Roles[i].Name, name) {
					r := s.Roles[i]
					role = &r
				}
			}
			return nil
		})
	}
	if role == nil {
		return AssumedRole{}, &APIError{Action: "AssumeRole", Code: "EntityNotExist.Role", HTTPStatus: 404, RequestID: NewRequestID(),
			Message: "The role not exists: " + roleArn + "."}
	}
	if !slices.Contains(role.TrustedAccounts, caller) && !slices.Contains(role.TrustedAccounts, "*") {
		return AssumedRole{}, &APIError{Action: "AssumeRole", Code: "NoPermission", HTTPStatus: 403, RequestID: NewRequestID(),
			Message: "No permission perform sts:AssumeRole on this Role. Maybe you are not authorized by the role's trust policy, or the role does not exist."}
	}
	if durationSeconds == 0 {
		durationSeconds = 3600
	}
	return AssumedRole{
		AccessKeyID:     stsKeyPrefix + uid + "." + role.Name,
		AccessKeySecret: "sim-" + randomSuffix(24),
		SecurityToken:   "CAIS-sim-" + randomSuffix(32),
		Expiration:      time.Now().UTC().Add(time.Duration(durationSeconds) * time.Second).Truncate(time.Second),
		AssumedRoleID:   assumedRoleID + ":" + session,
		Arn:             "acs:ram::" + uid + ":role/" + strings.ToLower(role.Name) + "/" + session,
	}, nil
}
