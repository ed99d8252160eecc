package openapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/ack-expose/ack-expose/simulator"
)

// STSVersion is the STS API version served (GetCallerIdentity).
const STSVersion = "2015-04-01"

func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request, action string, p url.Values) {
	switch action {
	case "GetCallerIdentity":
		c, err := s.Engine.GetCallerIdentity(accessKeyIDOf(r, p))
		if err != nil {
			writeRPCError(w, asAPIError(err))
			return
		}
		reqID := simulator.NewRequestID()
		writeJSON(w, 200, reqID, map[string]string{"RequestId": reqID, "IdentityType": c.IdentityType, "AccountId": c.AccountID,
			"Arn": c.Arn, "PrincipalId": c.PrincipalID, "UserId": c.UserID, "RoleId": c.RoleID})
	default:
		writeRPCError(w, &simulator.APIError{Code: "InvalidAction.NotFound", HTTPStatus: 404,
			Message: "Specified api is not found, please check your url and method."})
	}
}

// accessKeyIDOf is the AccessKey ID a request is signed with: the classic
// AccessKeyId parameter, or the Credential of an ACS3 Authorization header.
func accessKeyIDOf(r *http.Request, p url.Values) string {
	if id := p.Get("AccessKeyId"); id != "" {
		return id
	}
	h := r.Header.Get("Authorization")
	if _, rest, ok := strings.Cut(h, "Credential="); ok {
		id, _, _ := strings.Cut(rest, ",")
		return strings.TrimSpace(id)
	}
	if ak, _, ok := strings.Cut(strings.TrimPrefix(h, "acs "), ":"); ok && strings.HasPrefix(h, "acs ") {
		return ak
	}
	return ""
}
