package restore

// roomLeft is what an import may write on a file system of size bytes
// with free bytes free: free less a reserve of 5% of size, at most 1 GiB,
// and at least 1 byte (0 would mean no bound).
func roomLeft(free, size int64) int64 {
	reserve := min(size/20, 1<<30)
	return max(free-reserve, 1)
}
