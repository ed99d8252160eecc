package expose

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
)

// Account is one account of a multi-account audit: its UID (from STS
// GetCallerIdentity), the profile that reads it and the service over it.
type Account struct {
	ID      string
	Profile string
	Service *Service
}

// AuditAccounts is the audit over several accounts. With allClusters, every
// cluster of every account. Otherwise one row per context: a context whose
// name carries an account UID is read in that account (or listed as
// unreadable when no profile reads it), one matched by its server URL is
// tried in each account in turn. Accounts read by two profiles are read once.
func AuditAccounts(ctx context.Context, accounts []Account, contexts []kubeserver.Context, allClusters bool) (*ExposureList, int, error) {
	var uniq []Account
	byID := map[string]int{}
	for _, a := range accounts {
		if _, dup := byID[a.ID]; !dup {
			byID[a.ID] = len(uniq)
			uniq = append(uniq, a)
		}
	}
	list := &ExposureList{TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: "APIServerExposureList"}, Items: []AuditItem{}}
	failed := 0
	if allClusters {
		// The accounts are independent: read them at the same time.
		lists := make([]*ExposureList, len(uniq))
		fails := make([]int, len(uniq))
		errs := make([]error, len(uniq))
		var wg sync.WaitGroup
		for j, a := range uniq {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lists[j], fails[j], errs[j] = a.Service.AuditClusters(ctx, contexts)
			}()
		}
		wg.Wait()
		for j, a := range uniq {
			if errs[j] != nil {
				return nil, 0, fmt.Errorf("account %s (profile %s): %w", a.ID, a.Profile, errs[j])
			}
			for _, it := range lists[j].Items {
				it.Account, it.CredentialsProfile = a.ID, a.Profile
				list.Items = append(list.Items, it)
			}
			failed += fails[j]
		}
		return list, failed, nil
	}
	// Route the contexts: index per account, and the unrouted ones for all.
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
		default:
			items[i] = AuditItem{Context: kc.Name, Account: uid,
				Error: fmt.Sprintf("account %s: no profile given reads it (the profiles read %s)", uid, accountIDs(uniq))}
		}
	}
	done := make([]bool, len(contexts))
	for j, a := range uniq {
		idx := append(append([]int{}, routed[j]...), unrouted...)
		if len(idx) == 0 {
			continue
		}
		sub := make([]kubeserver.Context, len(idx))
		for k, i := range idx {
			sub[k] = contexts[i]
		}
		l, f, err := a.Service.Audit(ctx, sub)
		if err != nil {
			return nil, 0, fmt.Errorf("account %s (profile %s): %w", a.ID, a.Profile, err)
		}
		for k, i := range idx {
			it := l.Items[k]
			it.Account, it.CredentialsProfile = a.ID, a.Profile
			switch {
			case done[i]:
			case k < len(routed[j]) || it.Cluster.ID != "":
				items[i], done[i] = it, true
				if it.unread() {
					failed++
				}
			case items[i].Context == "":
				items[i] = it // no account found it yet: keep the first answer
			}
		}
		_ = f
	}
	list.Items = items
	return list, failed, nil
}

func accountIDs(accounts []Account) string {
	var ids []string
	for _, a := range accounts {
		ids = append(ids, a.ID+" ("+a.Profile+")")
	}
	return strings.Join(ids, ", ")
}
