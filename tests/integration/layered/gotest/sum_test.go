// A Go package test run as the hard negative "a Go test binary run from /tmp":
// `go test -c` builds it, the test runs it from /tmp in a container. The test
// does CPU-bound work for HH_GOTEST_SECONDS (default 20), bounded.
package sum

import (
	"crypto/sha256"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestChecksumsStable(t *testing.T) {
	secs, err := strconv.Atoi(os.Getenv("HH_GOTEST_SECONDS"))
	if err != nil || secs <= 0 {
		secs = 20
	}
	until := time.Now().Add(time.Duration(secs) * time.Second)
	h := sha256.Sum256([]byte("seed"))
	first := h
	for n := 0; time.Now().Before(until); n++ {
		h = sha256.Sum256(h[:])
		if n == 0 && h == first {
			t.Fatal("digest did not change")
		}
	}
}
