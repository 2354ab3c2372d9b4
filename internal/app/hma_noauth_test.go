package app

import (
	"net"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:8080": true, "[::1]:8080": true, "0.0.0.0:8080": false, "192.0.2.1:80": false} {
		ta, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkLoopback(ta); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
}
