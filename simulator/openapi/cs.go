package openapi

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/simulator"
)

// csCluster is a cluster as CS returns it. master_url is a JSON string.
// (pkg/backend/aliyun decodes with its own types, on purpose: see wire.go there.)
type csCluster struct {
	ClusterID       string  `json:"cluster_id"`
	Name            string  `json:"name"`
	RegionID        string  `json:"region_id"`
	State           string  `json:"state"`
	ClusterType     string  `json:"cluster_type"`
	Profile         string  `json:"profile"`
	ClusterSpec     string  `json:"cluster_spec"`
	VPCID           string  `json:"vpc_id"`
	ResourceGroupID string  `json:"resource_group_id"`
	MasterURL       string  `json:"master_url"`
	MetaData        string  `json:"meta_data"`
	Tags            []csTag `json:"tags"`
	Created         string  `json:"created"`
	Updated         string  `json:"updated"`
	// ExtraSans is in DescribeClusterDetail only (the CS model has no
	// extra_sans in DescribeClustersV1's items).
	ExtraSans *[]string `json:"extra_sans,omitempty"`
}

type csTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func toCS(v simulator.ClusterView) csCluster {
	mu, _ := json.Marshal(map[string]string{
		"api_server_endpoint":          v.PublicEndpoint,
		"intranet_api_server_endpoint": v.IntranetEndpoint,
	})
	// meta_data carries no API server CLB: that comes from DescribeClusterResources.
	meta, _ := json.Marshal(map[string]any{"Capabilities": map[string]any{}})
	return csCluster{ClusterID: v.ID, Name: v.Name, RegionID: v.RegionID, State: v.State, ClusterType: v.ClusterType,
		Profile: v.Profile, ClusterSpec: v.ClusterSpec, VPCID: v.VPCID, ResourceGroupID: "rg-simulator",
		MasterURL: string(mu), MetaData: string(meta), Tags: []csTag{},
		Created: "2026-01-01T00:00:00+08:00", Updated: "2026-01-01T00:00:00+08:00"}
}

// serveCS routes a CS ROA request (method and path) to its API.
func (s *Server) serveCS(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	reqID := simulator.NewRequestID()
	get := r.Method == http.MethodGet
	switch {
	case get && len(parts) == 2 && parts[0] == "clusters":
		s.serveClusterDetail(w, reqID, parts[1])
	case get && len(parts) == 3 && parts[0] == "clusters" && parts[2] == "resources":
		s.serveClusterResources(w, parts[1])
	case get && len(parts) == 3 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "clusters":
		s.serveClustersV1(w, r, reqID)
	case r.Method == http.MethodPut && len(parts) == 4 && parts[0] == "api" && parts[1] == "v2" && parts[2] == "clusters":
		s.serveModifyCluster(w, r, reqID, parts[3])
	case get && len(parts) == 2 && parts[0] == "tasks":
		s.serveTaskInfo(w, reqID, parts[1])
	case get && len(parts) == 3 && parts[0] == "k8s" && parts[2] == "user_config":
		s.serveUserKubeconfig(w, r, reqID, parts[1])
	default:
		writeCSError(w, &simulator.APIError{Code: "InvalidAction.NotFound", HTTPStatus: 404,
			Message: fmt.Sprintf("%s %s is not an API of CS %s served by the simulator.", r.Method, r.URL.Path, CSVersion)})
	}
}

// serveClusterDetail is DescribeClusterDetail (GET /clusters/{id}).
func (s *Server) serveClusterDetail(w http.ResponseWriter, reqID, clusterID string) {
	v, err := s.Engine.DescribeClusterDetail(clusterID)
	if err != nil {
		writeCSError(w, asAPIError(err))
		return
	}
	out := toCS(v)
	sans := append([]string{}, v.ExtraSans...)
	out.ExtraSans = &sans
	writeJSON(w, 200, reqID, out)
}

// serveClustersV1 is DescribeClustersV1 (GET /api/v1/clusters), a page of it.
func (s *Server) serveClustersV1(w http.ResponseWriter, r *http.Request, reqID string) {
	q := r.URL.Query()
	page, err1 := atoiDefault(q.Get("page_number"), 1)
	size, err2 := atoiDefault(q.Get("page_size"), 10)
	if err1 != nil || err2 != nil {
		writeCSError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "page_number and page_size must be integers"})
		return
	}
	list, total, err := s.Engine.DescribeClustersV1(q.Get("region_id"), q.Get("cluster_type"), page, size)
	if err != nil {
		writeCSError(w, asAPIError(err))
		return
	}
	out := make([]csCluster, 0, len(list))
	for _, v := range list {
		out = append(out, toCS(v))
	}
	writeJSON(w, 200, reqID, map[string]any{"clusters": out,
		"page_info": map[string]int{"page_number": page, "page_size": size, "total_count": total}})
}

// serveModifyCluster is ModifyCluster (PUT /api/v2/clusters/{id}): its
// api_server_eip or its api_server_custom_cert_sans part, one per call.
func (s *Server) serveModifyCluster(w http.ResponseWriter, r *http.Request, reqID, clusterID string) {
	var body struct {
		APIServerEIP   *bool  `json:"api_server_eip"`
		APIServerEIPID string `json:"api_server_eip_id"`
		CertSANs       *struct {
			Action string   `json:"action"`
			Names  []string `json:"subject_alternative_names"`
		} `json:"api_server_custom_cert_sans"`
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeCSError(w, simulator.AssumeCSContentType.Err("The request body of ModifyCluster must be JSON, sent as Content-Type application/json, not %q.", r.Header.Get("Content-Type")))
		return
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(b, &body); err != nil {
		writeCSError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400,
			Message: fmt.Sprintf("The request body is not valid JSON (Content-Type %q): %v", r.Header.Get("Content-Type"), err)})
		return
	}
	req := simulator.ModifyClusterRequest{ClusterID: clusterID}
	switch {
	case body.CertSANs != nil && body.APIServerEIP != nil:
		writeCSError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400,
			Message: "The simulator models one change per ModifyCluster call: send api_server_eip and api_server_custom_cert_sans separately."})
		return
	case body.CertSANs != nil:
		req.CertSANs = &simulator.CertSANs{Action: body.CertSANs.Action, Names: body.CertSANs.Names}
	case body.APIServerEIP == nil:
		writeCSError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400,
			Message: "The simulator models only the api_server_eip and api_server_custom_cert_sans parts of ModifyCluster; both are missing."})
		return
	default:
		req.APIServerEIP, req.APIServerEIPID = *body.APIServerEIP, body.APIServerEIPID
	}
	taskID, err := s.Engine.ModifyCluster(req)
	if err != nil {
		writeCSError(w, asAPIError(err))
		return
	}
	writeJSON(w, 202, reqID, map[string]string{"cluster_id": clusterID, "task_id": taskID, "request_id": reqID})
}

// serveTaskInfo is DescribeTaskInfo (GET /tasks/{id}).
func (s *Server) serveTaskInfo(w http.ResponseWriter, reqID, taskID string) {
	t, err := s.Engine.DescribeTaskInfo(taskID)
	if err != nil {
		writeCSError(w, asAPIError(err))
		return
	}
	out := map[string]any{"task_id": t.ID, "cluster_id": t.ClusterID, "task_type": t.Type, "state": t.State,
		"created": t.Created.Format(time.RFC3339), "updated": t.Updated.Format(time.RFC3339),
		"current_stage": "", "stages": []any{}, "target": map[string]string{"id": t.ClusterID, "type": "cluster"}}
	if t.Error != nil {
		out["error"] = map[string]string{"code": t.Error.Code, "message": t.Error.Message}
	}
	writeJSON(w, 200, reqID, out)
}

// serveUserKubeconfig is DescribeClusterUserKubeconfig (GET
// /k8s/{id}/user_config), public or, with PrivateIpAddress=true, intranet.
func (s *Server) serveUserKubeconfig(w http.ResponseWriter, r *http.Request, reqID, clusterID string) {
	private := r.URL.Query().Get("PrivateIpAddress") == "true"
	cfg, err := s.Engine.DescribeClusterUserKubeconfig(clusterID, private)
	if err != nil {
		writeCSError(w, asAPIError(err))
		return
	}
	writeJSON(w, 200, reqID, map[string]string{"config": cfg,
		"expiration": time.Now().Add(3 * 365 * 24 * time.Hour).UTC().Format(time.RFC3339)})
}
