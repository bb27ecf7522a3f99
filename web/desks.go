package web

// DeskPaths are the desks a role's navigation offers, in order: what a test visits as that role.
func DeskPaths(role string) []string {
	var out []string
	for _, n := range navFor(role) {
		out = append(out, n.Path)
	}
	return out
}
