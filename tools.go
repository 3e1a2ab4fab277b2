//go:build tools

package main

import (
	_ "golang.org/x/oauth2"
	_ "golang.org/x/oauth2/clientcredentials"
	_ "golang.org/x/sync/singleflight"
	_ "modernc.org/sqlite"
)

func main() {}
