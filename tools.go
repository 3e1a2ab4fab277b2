//go:build tools

package main
import (
 _ "golang.org/x/oauth2"
 _ "golang.org/x/oauth2/clientcredentials"
 _ "modernc.org/sqlite"
 _ "golang.org/x/sync/singleflight"
)
func main(){}
