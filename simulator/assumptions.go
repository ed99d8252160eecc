package simulator

import (
	"fmt"
	"strings"
)

// Assumption is a choice the simulator makes where Alibaba Cloud's
// documentation is silent (or only partly speaks). Every such choice is one
// entry here, the engine builds its answers from these entries, and the
// table "What the simulator assumes" in docs/simulator.md is rendered from them (checked
// by TestREADMEAssumptions), so one line changes when the cloud says otherwise.
type Assumption struct {
	// Case is the situation the documentation leaves open.
	Case string
	// Choice is what the simulator does.
	Choice string
	// Code and HTTPStatus are the error answered, when the choice is an error.
	Code       string
	HTTPStatus int
	// Source says where the choice comes from, or "undocumented".
	Source string
}

// Err is the simulated API error of an assumption, with a message.
func (a *Assumption) Err(format string, args ...any) *APIError {
	return &APIError{Code: a.Code, HTTPStatus: a.HTTPStatus, Message: fmt.Sprintf(format, args...)}
}

// The simulator's assumptions, in the order of docs/simulator.md.
var (
	AssumeBusyCluster = Assumption{Case: "CS ModifyCluster on a cluster that is not `running`",
		Choice: "refused", Code: "ErrorClusterState", HTTPStatus: 400,
		Source: "undocumented (ACK says not to operate on a cluster during a rolling update)"}
	AssumeUnsupportedKind = Assumption{Case: "CS ModifyCluster `api_server_eip` on a kind that cannot change its EIP (dedicated, registered, Lingjun)",
		Choice: "refused", Code: "ErrorNotSupported", HTTPStatus: 400,
		Source: "undocumented code; the kinds follow ACK's page (see Which clusters)"}
	AssumeSANsUnsupportedKind = Assumption{Case: "CS ModifyCluster `api_server_custom_cert_sans` on a kind ACK does not document it for (dedicated, registered, Edge, Lingjun)",
		Choice: "refused", Code: "ErrorNotSupported", HTTPStatus: 400,
		Source: "the CS model: \"available only for ACK managed clusters\"; ACK's guide: managed and Serverless, not dedicated; the code is undocumented"}
	AssumeSANsInvalid = Assumption{Case: "CS ModifyCluster `api_server_custom_cert_sans` with an action other than append/overwrite, or a name that is neither an IP address nor a DNS name",
		Choice: "refused; `overwrite` with no names clears the extra names; names are stored canonical (lower case), each once",
		Code:   "InvalidParameter", HTTPStatus: 400,
		Source: "the CS model documents append/overwrite and \"IP addresses or domain names\"; the rest is undocumented"}
	AssumeSANsRestart = Assumption{Case: "The API server while ModifyCluster `api_server_custom_cert_sans` rolls it out",
		Choice: "the cluster is `updating` for timing.modifyCluster and its endpoints refuse connections meanwhile; the task fails like an EIP task (faults ModifyClusterTask)",
		Source: "ACK: changing the SANs restarts the API server (do it off-peak); the length of the window is undocumented"}
	AssumeEIPTrueWithoutID = Assumption{Case: "CS ModifyCluster `api_server_eip: true` without `api_server_eip_id`",
		Choice: "refused, never allocates an EIP", Code: "MissingParameter", HTTPStatus: 400,
		Source: "undocumented (ack-expose always allocates through VPC and passes the ID)"}
	AssumeEIPFalseKeeps = Assumption{Case: "CS ModifyCluster `api_server_eip: false` on an EIP that ACK itself allocated at creation",
		Choice: "the EIP is disassociated and stays allocated (`Available`), never released",
		Source: "undocumented"}
	AssumeCSEIPNotFound = Assumption{Case: "CS ModifyCluster with an `api_server_eip_id` that does not exist",
		Choice: "refused with VPC's code", Code: "InvalidAllocationId.NotFound", HTTPStatus: 404,
		Source: "CS codes for EIP problems are undocumented; the code is VPC's (ReleaseEipAddress reference)"}
	AssumeCSEIPRegion = Assumption{Case: "CS ModifyCluster with an EIP of another region",
		Choice: "refused with VPC's code", Code: "InvalidParameter.Mismatch", HTTPStatus: 400,
		Source: "undocumented; the code is VPC's"}
	AssumeCSEIPStatus = Assumption{Case: "CS ModifyCluster with an EIP that is not `Available`",
		Choice: "refused with VPC's code", Code: "IncorrectEipStatus", HTTPStatus: 400,
		Source: "undocumented; the code is VPC's (ReleaseEipAddress reference: 400)"}
	AssumeCSContentType = Assumption{Case: "CS ModifyCluster whose body is not `Content-Type: application/json`",
		Choice: "refused", Code: "InvalidParameter", HTTPStatus: 400,
		Source: "the JSON body is documented (ROA); the code is undocumented"}
	AssumeTaskNotFound = Assumption{Case: "CS DescribeTaskInfo of an unknown task",
		Choice: "refused", Code: "ErrorTaskNotFound", HTTPStatus: 404,
		Source: "undocumented"}
	AssumeNoPublicEndpoint = Assumption{Case: "CS DescribeClusterUserKubeconfig `PrivateIpAddress=false` without a public endpoint",
		Choice: "refused", Code: "ErrorPublicEndpointNotFound", HTTPStatus: 400,
		Source: "undocumented"}
	AssumeCSStatus = Assumption{Case: "CS HTTP status of each error",
		Choice: "`ErrorClusterNotFound` 404 (seen), the rest as in this table",
		Source: "undocumented (CS error bodies carry `status`)"}
	AssumeListAllRegions = Assumption{Case: "CS DescribeClustersV1 without `region_id`",
		Choice: "lists the clusters of every region",
		Source: "undocumented (the parameter is optional)"}
	AssumeTaskFailed = Assumption{Case: "CS DescribeTaskInfo state of a failed task",
		Choice: "`failed` (ack-expose also accepts `fail`)",
		Source: "the docs spell it both ways"}
	AssumeBGPProRegion = Assumption{Case: "VPC AllocateEipAddress `ISP=BGP_PRO` outside its regions",
		Choice: "refused", Code: "InvalidRegion.NotSupport", HTTPStatus: 400,
		Source: "the regions are documented (ISP); the code is one of AllocateEipAddress' documented codes, which one applies is undocumented"}
	AssumeACLEntryComment = Assumption{Case: "SLB AddAccessControlListEntry `comment` longer than 256 characters, or with a control character",
		Choice: "refused", Code: "InvalidParameter", HTTPStatus: 400,
		Source: "undocumented: the API reference gives no length or character rule for the comment (2026-03); ack-expose's own comments are plain text within 256 characters"}
)

// Assumptions lists every assumption, in the order of docs/simulator.md.
var Assumptions = []*Assumption{&AssumeBusyCluster, &AssumeUnsupportedKind, &AssumeSANsUnsupportedKind, &AssumeSANsInvalid, &AssumeSANsRestart, &AssumeEIPTrueWithoutID,
	&AssumeEIPFalseKeeps, &AssumeCSEIPNotFound, &AssumeCSEIPRegion, &AssumeCSEIPStatus, &AssumeCSContentType,
	&AssumeTaskNotFound, &AssumeNoPublicEndpoint, &AssumeCSStatus, &AssumeListAllRegions, &AssumeTaskFailed,
	&AssumeBGPProRegion, &AssumeACLEntryComment}

// AssumptionsTable renders the assumptions as docs/simulator.md's Markdown table.
func AssumptionsTable() string {
	var b strings.Builder
	b.WriteString("| where the documentation is silent | the simulator | error (HTTP status) | source |\n| --- | --- | --- | --- |\n")
	for _, a := range Assumptions {
		code := "-"
		if a.Code != "" {
			code = fmt.Sprintf("`%s` (%d)", a.Code, a.HTTPStatus)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", a.Case, a.Choice, code, a.Source)
	}
	return b.String()
}
