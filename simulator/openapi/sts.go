package openapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ack-expose/ack-expose/simulator"
)

// STSVersion is the STS API version served (GetCallerIdentity, AssumeRole).
const STSVersion = "2015-04-01"

func (s *Server) serveSTS(w http.ResponseWriter, key, action string, p url.Values) {
	reqID := simulator.NewRequestID()
	switch action {
	case "GetCallerIdentity":
		c, err := s.Engine.GetCallerIdentity(key)
		if err != nil {
			writeRPCError(w, asAPIError(err))
			return
		}
		writeJSON(w, 200, reqID, map[string]string{"RequestId": reqID, "IdentityType": c.IdentityType, "AccountId": c.AccountID,
			"Arn": c.Arn, "PrincipalId": c.PrincipalID, "UserId": c.UserID, "RoleId": c.RoleID})
	case "AssumeRole":
		d := 0
		if v := p.Get("DurationSeconds"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				writeRPCError(w, &simulator.APIError{Code: "InvalidParameter.DurationSeconds", HTTPStatus: 400, RequestID: reqID,
					Message: "The parameter DurationSeconds is wrongly formed."})
				return
			}
			d = n
		}
		ar, err := s.accounts().AssumeRole(key, p.Get("RoleArn"), p.Get("RoleSessionName"), d)
		if err != nil {
			writeRPCError(w, asAPIError(err))
			return
		}
		writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID,
			"AssumedRoleUser": map[string]string{"AssumedRoleId": ar.AssumedRoleID, "Arn": ar.Arn},
			"Credentials": map[string]string{"AccessKeyId": ar.AccessKeyID, "AccessKeySecret": ar.AccessKeySecret,
				"SecurityToken": ar.SecurityToken, "Expiration": ar.Expiration.Format("2006-01-02T15:04:05Z")}})
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
