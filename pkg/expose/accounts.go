package expose

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Account is one account of a multi-account audit: its UID (from STS
// GetCallerIdentity), the profile that reads it and the service over it.
type Account struct {
	ID      string
	Profile string
	Service *Service
	// Err says the account cannot be read this way: a profile that cannot
	// be used (its mode, what it lacks, STS not answering whose it is), a
	// role that cannot be assumed. The audit goes on without it: its
	// contexts (or, with an unknown ID, the profile) get a row with the
	// error, which fails the audit (exit 1).
	Err error
}

// AuditAccounts is the audit over several accounts. With allClusters, every
// cluster of every account. Otherwise one row per context: a context whose
// name carries an account UID is read in that account (or listed as
// unreadable when no profile reads it), one matched by its server URL is
// tried in each account in turn. Accounts read by two profiles are read once.
func AuditAccounts(ctx context.Context, accounts []Account, contexts []kubeserver.Context, allClusters bool) (*ExposureList, int, error) {
	var uniq, unknown []Account
	byID := map[string]bool{}
	for _, a := range accounts {
		switch {
		case a.ID == "":
			unknown = append(unknown, a)
		case !byID[a.ID]:
			byID[a.ID] = true
			uniq = append(uniq, a)
		}
	}
	list := &ExposureList{TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: "APIServerExposureList"}, Items: []AuditItem{}}
	var failed int
	if allClusters {
		list.Items, failed = auditEveryCluster(ctx, uniq, contexts)
	} else {
		list.Items, failed = auditRouted(ctx, uniq, contexts)
	}
	for _, a := range unknown {
		list.Items = append(list.Items, AuditItem{CredentialsProfile: a.Profile, CloudError: true,
			Error: fmt.Sprintf("profile %s cannot be used: %s", a.Profile, errdefs.FirstLine(a.Err))})
		failed++
	}
	return list, failed, nil
}

// accountError is the row of an account that could not be read at all.
func accountError(a Account, context string, err error) AuditItem {
	return AuditItem{Context: context, Account: a.ID, CredentialsProfile: a.Profile, CloudError: true,
		Error: fmt.Sprintf("account %s (%s) cannot be read: %s", a.ID, profileLabel(a.Profile), errdefs.FirstLine(err))}
}

func profileLabel(p string) string {
	if strings.HasPrefix(p, "role ") {
		return p
	}
	return "profile " + p
}

// auditEveryCluster audits every cluster of every account, the accounts at
// the same time (they are independent).
func auditEveryCluster(ctx context.Context, uniq []Account, contexts []kubeserver.Context) ([]AuditItem, int) {
	lists := make([]*ExposureList, len(uniq))
	fails := make([]int, len(uniq))
	errs := make([]error, len(uniq))
	var wg sync.WaitGroup
	for j, a := range uniq {
		if a.Err != nil {
			errs[j] = a.Err
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lists[j], fails[j], errs[j] = a.Service.AuditClusters(ctx, contextsOf(a.ID, contexts))
		}()
	}
	wg.Wait()
	items, failed := []AuditItem{}, 0
	for j, a := range uniq {
		if errs[j] != nil {
			items = append(items, accountError(a, "", errs[j]))
			failed++
			continue
		}
		for _, it := range lists[j].Items {
			it.Account, it.CredentialsProfile = a.ID, a.Profile
			items = append(items, it)
		}
		failed += fails[j]
	}
	// A context matched by its server URL to clusters of several accounts
	// reaches one of them, which cannot be told: no row names it, and a row
	// of its own says so (as with --all-contexts).
	for _, kc := range contexts {
		if _, ok := ContextAccount(kc.Name); ok || kc.Name == "" {
			continue
		}
		var found []AuditItem
		for j, a := range uniq {
			if errs[j] != nil {
				continue
			}
			if id, ok := lists[j].reaches[kc.Name]; ok {
				found = append(found, AuditItem{Exposure: Exposure{Cluster: ClusterInfo{ID: id, Name: nameIn(lists[j], id)}}, Account: a.ID, CredentialsProfile: a.Profile})
			}
		}
		if len(found) < 2 {
			continue
		}
		for i := range items {
			if items[i].Context == kc.Name {
				items[i].Context, items[i].Cluster.Context = "", ""
			}
		}
		items = append(items, ambiguous(kc, found))
		failed++
	}
	return items, failed
}

// nameIn is the name of cluster id in l ("" if none).
func nameIn(l *ExposureList, id string) string {
	for _, it := range l.Items {
		if it.Cluster.ID == id {
			return it.Cluster.Name
		}
	}
	return ""
}

// contextsOf are the contexts that may reach the clusters of account uid:
// those whose name carries that account, or none (matched by server URL).
// Two accounts may hold clusters of the same ID (the simulator's do).
func contextsOf(uid string, contexts []kubeserver.Context) []kubeserver.Context {
	var out []kubeserver.Context
	for _, kc := range contexts {
		if id, ok := ContextAccount(kc.Name); !ok || id == uid {
			out = append(out, kc)
		}
	}
	return out
}

// auditRouted audits the contexts, each in the account its name carries;
// the others are tried in each account. A context whose server a cluster of
// one account answers to is that cluster; one that clusters of two accounts
// answer to (the same private address in two VPCs, say) is ambiguous: an
// error row naming them, never one of them picked.
func auditRouted(ctx context.Context, uniq []Account, contexts []kubeserver.Context) ([]AuditItem, int) {
	byID := map[string]int{}
	for j, a := range uniq {
		byID[a.ID] = j
	}
	routed := make([][]int, len(uniq))
	var unrouted []int
	items := make([]AuditItem, len(contexts))
	for i, kc := range contexts {
		uid, ok := ContextAccount(kc.Name)
		switch j, known := byID[uid]; {
		case !ok:
			unrouted = append(unrouted, i)
		case known:
			routed[j] = append(routed[j], i)
		case len(uniq) == 0:
			items[i] = AuditItem{Context: kc.Name, Account: uid, Error: fmt.Sprintf("account %s: no profile given could be used to read it", uid)}
		default:
			items[i] = AuditItem{Context: kc.Name, Account: uid,
				Error: fmt.Sprintf("account %s: no profile given reads it (the profiles read %s)", uid, accountIDs(uniq))}
		}
	}
	// found are, for a context tried in each account, the rows of the
	// accounts that have its cluster.
	found := make([][]AuditItem, len(contexts))
	failed := 0
	for j, a := range uniq {
		idx := append(append([]int{}, routed[j]...), unrouted...)
		if len(idx) == 0 {
			continue
		}
		l, err := auditSome(ctx, a, contexts, idx)
		for k, i := range idx {
			var it AuditItem
			if err != nil {
				if k >= len(routed[j]) {
					continue // tried in each account: another may read it
				}
				it = accountError(a, contexts[i].Name, err)
			} else {
				it = l.Items[k]
				it.Account, it.CredentialsProfile = a.ID, a.Profile
			}
			switch {
			case k < len(routed[j]):
				items[i] = it
				if it.unread() {
					failed++
				}
			case it.Cluster.ID != "":
				found[i] = append(found[i], it)
			case items[i].Context == "":
				items[i] = it // no account found it yet: keep the first answer
			}
		}
	}
	for _, i := range unrouted {
		switch f := found[i]; len(f) {
		case 0:
		case 1:
			items[i] = f[0]
			if f[0].unread() {
				failed++
			}
		default:
			items[i] = ambiguous(contexts[i], f)
			failed++
		}
	}
	for i := range items {
		if items[i].Context == "" { // every account that could read it failed
			items[i] = AuditItem{Context: contexts[i].Name, CloudError: true, Error: "no account given could be read to look for it"}
			failed++
		}
	}
	return items, failed
}

// ambiguous is the row of a context whose server clusters of several
// accounts answer to: which one it reaches cannot be told.
func ambiguous(kc kubeserver.Context, found []AuditItem) AuditItem {
	var which []string
	for _, it := range found {
		which = append(which, fmt.Sprintf("cluster %s (%s) in account %s (%s)", cmp.Or(it.Cluster.Name, it.Cluster.ID), it.Cluster.ID, it.Account, profileLabel(it.CredentialsProfile)))
	}
	return AuditItem{Context: kc.Name, CloudError: true,
		Error: fmt.Sprintf("ambiguous: the server %s of context %s is %s: audit it with one profile (--profile), or name the context <account-uid>-<clusterId>",
			kc.Server, kc.Name, strings.Join(which, " and "))}
}

// auditSome audits the contexts at idx in account a.
func auditSome(ctx context.Context, a Account, contexts []kubeserver.Context, idx []int) (*ExposureList, error) {
	if a.Err != nil {
		return nil, a.Err
	}
	sub := make([]kubeserver.Context, len(idx))
	for k, i := range idx {
		sub[k] = contexts[i]
	}
	l, _, err := a.Service.Audit(ctx, sub)
	return l, err
}

func accountIDs(accounts []Account) string {
	var ids []string
	for _, a := range accounts {
		ids = append(ids, a.ID+" ("+a.Profile+")")
	}
	return strings.Join(ids, ", ")
}
