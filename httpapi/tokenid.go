package httpapi

// CommandTokenID is the name under which a slash-command token's team binding is stored (the token itself
// never is); mmzoom doctor uses it to find a configured token's binding.
func CommandTokenID(token string) string { return tokenID(token) }
