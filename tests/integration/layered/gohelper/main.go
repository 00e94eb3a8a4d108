// Hard negatives for the layered agent test (tests/integration/agent_layered.sh):
//   jobserver ADDR SECONDS       TLS server: a small JSON job every 3 s to each client
//   jobworker ADDR SECONDS       TLS client: keeps one connection, burns CPU on each job
//                                (SHA-256 chains), answers with a small result
//   sockpoll PATH SECONDS        polls a Docker-API unix socket every 2 s, as cAdvisor does
// Loopback only; every loop is bounded by SECONDS.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

type job struct {
	ID    int    `json:"id"`
	Input string `json:"input"`
	Work  int    `json:"work"`
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func loopback(addr string) {
	host, _, err := net.SplitHostPort(addr)
	must(err)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		must(fmt.Errorf("%s: loopback only", addr))
	}
}

func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	tmpl := x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "jobs.internal"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	must(err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func jobserver(addr string, until time.Time) {
	loopback(addr)
	ln, err := tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{selfSigned()}})
	must(err)
	go func() { time.Sleep(time.Until(until)); ln.Close() }()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			enc := json.NewEncoder(c)
			rd := bufio.NewReader(c)
			for id := 1; time.Now().Before(until); id++ {
				b := make([]byte, 16)
				rand.Read(b)
				if enc.Encode(job{ID: id, Input: hex.EncodeToString(b), Work: 400000}) != nil {
					return
				}
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				if _, err := rd.ReadString('\n'); err != nil {
					return
				}
				time.Sleep(3 * time.Second)
			}
		}(c)
	}
}

func jobworker(addr string, until time.Time) {
	loopback(addr)
	var c net.Conn
	var err error
	for time.Now().Before(until) {
		if c, err = tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: "jobs.internal"}); err == nil {
			break
		}
		time.Sleep(time.Second)
	}
	must(err)
	defer c.Close()
	dec := json.NewDecoder(c)
	for time.Now().Before(until) {
		var j job
		c.SetReadDeadline(until)
		if dec.Decode(&j) != nil {
			return
		}
		h := sha256.Sum256([]byte(j.Input))
		for i := 0; i < j.Work && time.Now().Before(until); i++ {
			h = sha256.Sum256(h[:])
		}
		fmt.Fprintf(c, "{\"id\":%d,\"digest\":\"%s\"}\n", j.ID, hex.EncodeToString(h[:8]))
	}
}

func sockpoll(path string, until time.Time) {
	for time.Now().Before(until) {
		if c, err := net.Dial("unix", path); err == nil {
			fmt.Fprintf(c, "GET /containers/json HTTP/1.0\r\nHost: docker\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 4096)
			c.Read(buf)
			c.Close()
		}
		time.Sleep(2 * time.Second)
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gohelper jobserver|jobworker|sockpoll ADDR|PATH SECONDS")
		os.Exit(2)
	}
	secs, err := strconv.Atoi(os.Args[3])
	must(err)
	until := time.Now().Add(time.Duration(secs) * time.Second)
	switch strings.ToLower(os.Args[1]) {
	case "jobserver":
		jobserver(os.Args[2], until)
	case "jobworker":
		jobworker(os.Args[2], until)
	case "sockpoll":
		sockpoll(os.Args[2], until)
	default:
		os.Exit(2)
	}
}
