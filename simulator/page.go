package simulator

// rpcPage checks the region and the page of a VPC or SLB Describe* call as
// the cloud does: RegionId is mandatory, PageNumber defaults to 1 and
// PageSize to 10, at most 100.
func rpcPage(region string, page, size int) (int, int, error) {
	if region == "" {
		return 0, 0, &APIError{Code: "MissingRegionId", HTTPStatus: 400, Message: "RegionId is mandatory for this action."}
	}
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = 10
	}
	if size > 100 {
		return 0, 0, &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "The specified PageSize is invalid (1-100)."}
	}
	return page, size, nil
}

// pageOf is page number page (from 1) of all, size items a page, and the total.
func pageOf[T any](all []T, page, size int) ([]T, int) {
	lo := min((page-1)*size, len(all))
	return all[lo:min(lo+size, len(all))], len(all)
}
