/* Network detection: per-flow framing recognition, parsers, features and findings. */
#include "detectors/network/netdetect.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "detectors/network/dns.h"
#include "detectors/network/flowfeat.h"
#include "detectors/network/known_proto.h"
#include "detectors/network/p2p.h"
#include "detectors/network/stratum.h"
#include "detectors/network/tls.h"

enum stream_kind { SK_UNKNOWN = 0, SK_JSON, SK_HTTP, SK_TLS, SK_SSH, SK_TEXT, SK_P2P, SK_BINARY };

static const char *kind_name(enum stream_kind k)
{
	static const char *const n[] = { "unknown", "json-lines", "http", "tls", "ssh", "text", "p2p", "binary" };
	return n[k];
}

#define MAX_METHODS 12
#define QUICK_AFTER 16 /* fully parsed messages before a session is only counted */
#define HTTP_MAX_HEADER 16384
#define HTTP_MAX_BODY 65536

struct dir_state {
	enum stream_kind kind;
	bool done;              /* no more bytes wanted */
	uint64_t seen;          /* stream bytes received */
	char *buf;              /* line / header / body / hello buffer */
	size_t len, cap;
	bool overflow;          /* the current line exceeded the limit: skip to its end */
	unsigned non_json;      /* lines that were not JSON */
	/* HTTP */
	bool in_body;
	size_t body_need;
	/* First payload size (packets) for handshake shapes. */
	uint32_t first_payload;
	uint32_t payload_pkts;
	/* Binary framing: a sample of the first bytes (in buf) for the entropy test. */
	bool sampled;           /* entropy below is final */
	double entropy;
	size_t sample_len;
};

struct method_count {
	char name[48];
	uint32_t n;
};

struct hh_net_flow {
	struct hh_net_flow_key key;
	struct dir_state dir[2];
	struct hh_flowfeat feat;
	/* Mining session. */
	enum hh_mining_dialect dialect;
	bool ethstratum;
	uint32_t roles[8];
	uint32_t mining_msgs, client_msgs, server_msgs;
	struct method_count methods[MAX_METHODS];
	size_t n_methods;
	char first_method[48];
	char agent[128], login[192], algo[48];
	double confirm_ts;
	/* HTTP */
	char http_agent[128], http_host[256];
	bool getwork_headers;   /* X-Stratum / X-Long-Polling / X-Mining-Extensions */
	/* TLS */
	bool tls;
	bool hello_done;
	struct hh_tls_hello hello;
	/* A binary protocol recognised from its first bytes (known_proto.h). */
	const char *known_proto;
	/* P2P */
	enum hh_p2p_kind p2p;
	char p2p_detail[96];
	/* Naming and intel. */
	char server_name[256];
	char name_source[8];
	const struct hh_intel_entry *intel_domain, *intel_ip, *intel_port;
	/* Ownership (live). */
	int pid;
	char comm[32];
	struct hh_workload wl;
	bool has_owner;
	/* Reporting. */
	bool reported_mining, reported_behavior, reported_sv2, reported_p2p, reported_intel;
	double last_eval;
};

struct hh_netdetect {
	struct hh_netdetect_opts o;
	const struct hh_intel *intel;
	char source[16];
	hh_finding_sink sink;
	void *arg;
	struct hh_dns_cache *dns;
	/* Pool-domain DNS queries already reported (bounded). */
	char **dns_reported;
	size_t n_dns_reported;
	struct hh_netdetect_stats stats;
};

void hh_netdetect_opts_load(struct hh_netdetect_opts *o, const struct hh_config *c)
{
	const struct hh_workload *w = NULL;
#define NUM(key, def) (c ? hh_config_num(c, w, "network." key, def) : (def))
#define BOOL(key, def) (c ? hh_config_bool(c, w, "network." key, def) : (def))
	o->max_stream_bytes = (size_t)NUM("flow.max_stream_bytes", 1048576);
	o->max_line_bytes = (size_t)NUM("flow.max_line_bytes", 65536);
	o->max_tls_hello = (size_t)NUM("tls.max_hello_bytes", 16384);
	o->dns_cache = (size_t)NUM("dns.cache_entries", 16384);
	o->max_dns_names = (size_t)NUM("dns.max_reported_names", 4096);
	o->report_early = false;
	o->eval_interval_s = NUM("live.eval_interval_s", 10);
	o->behavior_enabled = BOOL("tls_behavior.enabled", true);
	o->min_duration_s = NUM("tls_behavior.min_duration_s", 60);
	o->min_pushes = (unsigned)NUM("tls_behavior.min_pushes", 4);
	o->min_period_s = NUM("tls_behavior.min_period_s", 1);
	o->max_period_s = NUM("tls_behavior.max_period_s", 600);
	o->max_push_bytes = (unsigned)NUM("tls_behavior.max_push_bytes", 4096);
	o->max_client_bytes = (unsigned)NUM("tls_behavior.max_client_bytes", 4096);
	o->max_rate_bps = NUM("tls_behavior.max_rate_bps", 20000);
	o->max_ratio = NUM("tls_behavior.max_ratio", 50);
	o->min_ratio = NUM("tls_behavior.min_ratio", 0.02);
	o->burst_gap_s = NUM("tls_behavior.burst_gap_s", 0.25);
	o->response_window_s = NUM("tls_behavior.response_window_s", 1.0);
	o->sv2_client_act = (unsigned)NUM("stratum_v2.client_act_bytes", 64);
	o->sv2_server_reply = (unsigned)NUM("stratum_v2.server_reply_bytes", 234);
	o->login_keep = (unsigned)NUM("report.login_keep_chars", 6);
#undef NUM
#undef BOOL
	if (o->max_line_bytes < 256)
		o->max_line_bytes = 256;
	if (o->max_tls_hello < 512)
		o->max_tls_hello = 512;
}

struct hh_netdetect *hh_netdetect_new(const struct hh_netdetect_opts *o, const struct hh_intel *intel,
				      const char *source, hh_finding_sink sink, void *arg)
{
	struct hh_netdetect *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->o = *o;
	d->intel = intel;
	hh_strlcpy(d->source, source ? source : "pcap", sizeof(d->source));
	d->sink = sink;
	d->arg = arg;
	d->dns = hh_dns_cache_new(o->dns_cache);
	d->dns_reported = calloc(o->max_dns_names ? o->max_dns_names : 1, sizeof(char *));
	if (!d->dns || !d->dns_reported) {
		hh_netdetect_free(d);
		return NULL;
	}
	return d;
}

void hh_netdetect_free(struct hh_netdetect *d)
{
	if (!d)
		return;
	hh_dns_cache_free(d->dns);
	for (size_t i = 0; i < d->n_dns_reported; i++)
		free(d->dns_reported[i]);
	free(d->dns_reported);
	free(d);
}

void hh_netdetect_get_stats(const struct hh_netdetect *d, struct hh_netdetect_stats *s) { *s = d->stats; }

static void emit(struct hh_netdetect *d, struct hh_finding *f)
{
	if (!f)
		return;
	d->stats.findings++;
	d->sink(d->arg, f);
}

/* ---- flow lifecycle ---- */

struct hh_net_flow *hh_netdetect_flow_new(struct hh_netdetect *d, const struct hh_net_flow_key *k, double ts)
{
	struct hh_net_flow *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = *k;
	f->pid = -1;
	hh_flowfeat_init(&f->feat, ts, d->o.burst_gap_s, d->o.response_window_s);
	d->stats.flows++;
	const char *name = hh_dns_cache_lookup(d->dns, k->family, k->sip);
	if (name) {
		hh_strlcpy(f->server_name, name, sizeof(f->server_name));
		hh_strlcpy(f->name_source, "dns", sizeof(f->name_source));
		hh_intel_match_domain(d->intel, name, &f->intel_domain);
	}
	hh_intel_match_ip(d->intel, k->family == 4 ? AF_INET : AF_INET6, k->sip, &f->intel_ip);
	hh_intel_is_pool_port(d->intel, k->sport, &f->intel_port);
	return f;
}

void hh_netdetect_flow_set_owner(struct hh_net_flow *f, int pid, const char *comm, const struct hh_workload *w)
{
	f->pid = pid;
	hh_strlcpy(f->comm, comm ? comm : "", sizeof(f->comm));
	if (w)
		f->wl = *w;
	f->has_owner = true;
}

bool hh_netdetect_flow_has_owner(const struct hh_net_flow *f) { return f->has_owner; }
const struct hh_net_flow_key *hh_netdetect_flow_key(const struct hh_net_flow *f) { return &f->key; }
bool hh_netdetect_stream_done(const struct hh_net_flow *f, int dir) { return f->dir[dir ? 1 : 0].done; }

void hh_netdetect_stream_reset(struct hh_net_flow *f, int dir)
{
	struct dir_state *s = &f->dir[dir ? 1 : 0];
	s->kind = SK_UNKNOWN;
	s->done = false;
	s->len = 0;
	s->overflow = false;
	s->in_body = false;
	s->body_need = 0;
}

static void dir_stop(struct dir_state *s)
{
	s->done = true;
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

/* ---- findings ---- */

static void flow_fields(struct hh_netdetect *d, struct hh_net_flow *f, struct hh_finding *x)
{
	char a[64];
	const struct hh_net_flow_key *k = &f->key;
	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->sip, a, sizeof(a));
	hh_finding_set_str(x, "fd.sip", a);
	hh_finding_set_int(x, "fd.sport", k->sport);
	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->cip, a, sizeof(a));
	hh_finding_set_str(x, "fd.cip", a);
	hh_finding_set_int(x, "fd.cport", k->cport);
	hh_finding_set_str(x, "fd.l4proto", "tcp");
	if (f->server_name[0])
		hh_finding_set_str(x, "fd.sip.name", f->server_name);
	char t[40];
	hh_format_time(f->feat.first_ts, t, sizeof(t));
	hh_finding_set_str(x, "net.first_seen", t);
	hh_format_time(f->feat.last_ts, t, sizeof(t));
	hh_finding_set_str(x, "net.last_seen", t);
	hh_finding_set_int(x, "net.bytes.client_to_server", (long long)f->feat.bytes[0]);
	hh_finding_set_int(x, "net.bytes.server_to_client", (long long)f->feat.bytes[1]);
	if (f->has_owner) {
		if (f->pid > 0)
			hh_finding_set_int(x, "proc.pid", f->pid);
		if (f->comm[0])
			hh_finding_set_str(x, "proc.name", f->comm);
		hh_finding_set_workload(x, &f->wl);
	}
	(void)d;
}

static void intel_evidence(struct hh_net_flow *f, struct hh_finding *x)
{
	if (f->intel_domain)
		hh_finding_evidencef(x, "pool domain (intel)", "%s matches %s (%s:%u)", f->server_name,
				     f->intel_domain->value, f->intel_domain->source, f->intel_domain->line);
	if (f->intel_ip)
		hh_finding_evidencef(x, "pool address (intel)", "%s (%s:%u)", f->intel_ip->value, f->intel_ip->source,
				     f->intel_ip->line);
	if (f->intel_port)
		hh_finding_evidencef(x, "pool port (intel, weak alone)", "%u", f->key.sport);
}

static const char *mining_rule(enum hh_mining_dialect dl)
{
	switch (dl) {
	case HH_DIALECT_STRATUM_V1: return "net.stratum.v1";
	case HH_DIALECT_CRYPTONOTE: return "net.stratum.cryptonote";
	case HH_DIALECT_ETHPROXY: return "net.ethproxy";
	case HH_DIALECT_ETHSTRATUM1: case HH_DIALECT_ETHSTRATUM2: return "net.stratum.ethereumstratum";
	case HH_DIALECT_GETWORK: return "net.getwork";
	default: return "net.stratum.v1";
	}
}

static void report_mining(struct hh_netdetect *d, struct hh_net_flow *f)
{
	if (f->reported_mining || f->mining_msgs == 0)
		return;
	f->reported_mining = true;
	d->stats.mining_sessions++;
	bool full = (f->roles[HH_ROLE_AUTH] || f->roles[HH_ROLE_HELLO]) &&
		    (f->roles[HH_ROLE_WORK] || f->roles[HH_ROLE_GETWORK]) && f->roles[HH_ROLE_SUBMIT];
	const char *dn = hh_dialect_name(f->dialect);
	char title[400];
	snprintf(title, sizeof(title), "Cryptocurrency mining session (%s) to %s:%u", dn,
		 f->server_name[0] ? f->server_name : "pool", f->key.sport);
	if (!f->server_name[0]) {
		char a[64];
		inet_ntop(f->key.family == 4 ? AF_INET : AF_INET6, f->key.sip, a, sizeof(a));
		snprintf(title, sizeof(title), "Cryptocurrency mining session (%s) to %s port %u", dn, a, f->key.sport);
	}
	struct hh_finding *x = hh_finding_new(d->source, mining_rule(f->dialect), title,
					      full ? HH_SEV_CRITICAL : HH_SEV_HIGH, full ? 0.97 : 0.9);
	if (!x)
		return;
	x->time = f->confirm_ts > 0 ? f->confirm_ts : f->feat.first_ts;
	hh_finding_add_mitre(x, "T1496");
	flow_fields(d, f, x);
	hh_finding_set_str(x, "net.dialect", dn);
	hh_finding_set_str(x, "net.method", f->first_method);
	if (f->agent[0] || f->http_agent[0])
		hh_finding_set_str(x, "net.agent", f->agent[0] ? f->agent : f->http_agent);
	char masked[128];
	if (f->login[0]) {
		hh_mask_login(f->login, masked, sizeof(masked), d->o.login_keep);
		hh_finding_set_str(x, "net.login", masked);
	}
	hh_finding_evidence_str(x, "dialect", dn);
	char ml[600] = "";
	size_t o = 0;
	for (size_t i = 0; i < f->n_methods && o + 1 < sizeof(ml); i++) {
		int w = snprintf(ml + o, sizeof(ml) - o, "%s%s x%u", i ? ", " : "", f->methods[i].name, f->methods[i].n);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	hh_finding_evidence_str(x, "methods", ml);
	hh_finding_evidence_num(x, "mining messages", f->mining_msgs);
	hh_finding_evidencef(x, "session roles", "auth %u, work %u, getwork %u, submit %u, keepalive %u",
			     f->roles[HH_ROLE_AUTH], f->roles[HH_ROLE_WORK], f->roles[HH_ROLE_GETWORK],
			     f->roles[HH_ROLE_SUBMIT], f->roles[HH_ROLE_KEEPALIVE]);
	if (f->agent[0] || f->http_agent[0])
		hh_finding_evidence_str(x, "agent", f->agent[0] ? f->agent : f->http_agent);
	if (f->login[0])
		hh_finding_evidence_str(x, "login (masked)", masked);
	if (f->algo[0])
		hh_finding_evidence_str(x, "algorithm", f->algo);
	if (f->getwork_headers)
		hh_finding_evidence_str(x, "http", "getwork server headers (X-Stratum / X-Long-Polling)");
	if (f->tls && f->hello_done)
		hh_finding_evidence_str(x, "tls sni", f->hello.has_sni ? f->hello.sni : "(none)");
	hh_finding_evidence_num(x, "duration_s", f->feat.last_ts - f->feat.first_ts);
	hh_finding_evidencef(x, "bytes", "client->server %llu, server->client %llu",
			     (unsigned long long)f->feat.bytes[0], (unsigned long long)f->feat.bytes[1]);
	intel_evidence(f, x);
	emit(d, x);
}

static void note_method(struct hh_net_flow *f, const char *m)
{
	if (!m[0])
		return;
	for (size_t i = 0; i < f->n_methods; i++)
		if (strcmp(f->methods[i].name, m) == 0) {
			f->methods[i].n++;
			return;
		}
	if (f->n_methods < MAX_METHODS) {
		hh_strlcpy(f->methods[f->n_methods].name, m, sizeof(f->methods[0].name));
		f->methods[f->n_methods++].n = 1;
	}
}

static void on_mining_msg(struct hh_netdetect *d, struct hh_net_flow *f, int dir, const struct hh_mining_msg *m,
			  double ts)
{
	f->mining_msgs++;
	if (dir == 0)
		f->client_msgs++;
	else
		f->server_msgs++;
	if ((unsigned)m->role < 8)
		f->roles[m->role]++;
	if (m->dialect == HH_DIALECT_ETHSTRATUM1 || m->dialect == HH_DIALECT_ETHSTRATUM2) {
		f->dialect = m->dialect;
		f->ethstratum = true;
	} else if (!f->dialect || (!f->ethstratum && f->dialect != m->dialect && dir == 0 && m->role == HH_ROLE_AUTH)) {
		f->dialect = m->dialect;
	}
	note_method(f, m->method[0] ? m->method : "(result)");
	if (dir == 0 && m->method[0] && !f->first_method[0])
		hh_strlcpy(f->first_method, m->method, sizeof(f->first_method));
	if (m->agent[0] && !f->agent[0])
		hh_strlcpy(f->agent, m->agent, sizeof(f->agent));
	if (m->login[0] && !f->login[0])
		hh_strlcpy(f->login, m->login, sizeof(f->login));
	if (m->algo[0] && !f->algo[0])
		hh_strlcpy(f->algo, m->algo, sizeof(f->algo));
	if (f->confirm_ts <= 0)
		f->confirm_ts = ts;
	/* Live: a session is confirmed by a client message plus any other mining message. */
	if (d->o.report_early && f->client_msgs >= 1 && f->mining_msgs >= 2)
		report_mining(d, f);
}

/* ---- stream parsing ---- */

static bool buf_append(struct dir_state *s, const uint8_t *p, size_t n, size_t limit)
{
	if (s->len + n > limit)
		return false;
	if (s->len + n + 1 > s->cap) {
		size_t nc = s->cap ? s->cap : 512;
		while (nc < s->len + n + 1)
			nc *= 2;
		if (nc > limit + 1)
			nc = limit + 1;
		char *b = realloc(s->buf, nc);
		if (!b)
			return false;
		s->buf = b;
		s->cap = nc;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = 0;
	return true;
}

static void json_line(struct hh_netdetect *d, struct hh_net_flow *f, int dir, const char *line, size_t len,
		      double ts)
{
	struct dir_state *s = &f->dir[dir];
	size_t i = 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len)
		return;
	d->stats.json_lines++;
	struct hh_mining_msg m;
	/* A session confirmed and described (dialect, login or agent known, many
	 * messages seen) is only counted from here on: a scan for the method
	 * instead of a full parse of every job and share. */
	if (f->mining_msgs >= QUICK_AFTER && (f->login[0] || f->agent[0])) {
		memset(&m, 0, sizeof(m));
		if (hh_mining_quick_method(line + i, len - i, m.method, sizeof(m.method))) {
			if (!hh_mining_method_lookup(m.method, &m.dialect, &m.role))
				return;
		} else {
			m.role = HH_ROLE_RESULT; /* a response */
		}
		m.dialect = f->dialect;
		on_mining_msg(d, f, dir, &m, ts);
		return;
	}
	enum hh_parse_rc rc = hh_mining_parse(line + i, len - i, &m);
	if (rc == HH_PARSE_MINING)
		on_mining_msg(d, f, dir, &m, ts);
	else if (rc == HH_PARSE_NOT_JSON && ++s->non_json >= 4 && f->mining_msgs == 0)
		dir_stop(s); /* a text protocol, not JSON lines */
}

static void feed_lines(struct hh_netdetect *d, struct hh_net_flow *f, int dir, const uint8_t *p, size_t n,
		       double ts)
{
	struct dir_state *s = &f->dir[dir];
	while (n && !s->done) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) + 1 : n;
		if (s->overflow) {
			if (nl)
				s->overflow = false; /* the long line ended: resume */
		} else if (s->len == 0 && nl) {
			json_line(d, f, dir, (const char *)p, take, ts); /* whole line in place: no copy */
		} else if (!buf_append(s, p, take, d->o.max_line_bytes)) {
			s->len = 0;
			s->overflow = !nl;
		} else if (nl) {
			json_line(d, f, dir, s->buf, s->len, ts);
			s->len = 0;
		}
		p += take;
		n -= take;
	}
}

static void http_header(struct hh_net_flow *f, int dir, char *hdr)
{
	struct dir_state *s = &f->dir[dir];
	s->body_need = 0;
	char *save = NULL;
	for (char *line = strtok_r(hdr, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcasecmp(line, "content-length") == 0) {
			long long cl = atoll(v);
			s->body_need = cl > 0 ? (size_t)cl : 0;
		} else if (strcasecmp(line, "user-agent") == 0 && dir == 0 && !f->http_agent[0]) {
			hh_strlcpy(f->http_agent, v, sizeof(f->http_agent));
		} else if (strcasecmp(line, "host") == 0 && dir == 0 && !f->http_host[0]) {
			hh_strlcpy(f->http_host, v, sizeof(f->http_host));
		} else if (strcasecmp(line, "x-stratum") == 0 || strcasecmp(line, "x-long-polling") == 0 ||
			   strcasecmp(line, "x-mining-extensions") == 0 || strcasecmp(line, "x-roll-ntime") == 0) {
			f->getwork_headers = true;
		}
	}
}

static void feed_http(struct hh_netdetect *d, struct hh_net_flow *f, int dir, const uint8_t *p, size_t n, double ts)
{
	struct dir_state *s = &f->dir[dir];
	while (n && !s->done) {
		if (!s->in_body) {
			/* Header: up to the blank line. */
			size_t take = n;
			if (!buf_append(s, p, take, HTTP_MAX_HEADER)) {
				dir_stop(s);
				return;
			}
			char *end = strstr(s->buf, "\r\n\r\n");
			size_t hl = end ? (size_t)(end - s->buf) + 4 : 0;
			if (!end) {
				char *e2 = strstr(s->buf, "\n\n");
				if (e2)
					hl = (size_t)(e2 - s->buf) + 2;
			}
			if (!hl)
				return;
			/* Bytes of this chunk past the header belong to the body. */
			size_t extra = s->len - hl;
			char *hdr = strndup(s->buf, hl);
			if (!hdr) {
				dir_stop(s);
				return;
			}
			http_header(f, dir, hdr);
			free(hdr);
			s->in_body = true;
			size_t consumed = take - extra;
			s->len = 0;
			p += consumed;
			n -= consumed;
			if (s->body_need > HTTP_MAX_BODY) {
				dir_stop(s); /* large bodies are not JSON-RPC mining */
				return;
			}
			if (s->body_need == 0)
				s->in_body = false;
			continue;
		}
		size_t want = s->body_need - s->len;
		size_t take = n < want ? n : want;
		if (!buf_append(s, p, take, HTTP_MAX_BODY)) {
			dir_stop(s);
			return;
		}
		p += take;
		n -= take;
		if (s->len == s->body_need) {
			struct hh_mining_msg m;
			if (hh_mining_parse(s->buf, s->len, &m) == HH_PARSE_MINING)
				on_mining_msg(d, f, dir, &m, ts);
			s->len = 0;
			s->in_body = false;
		}
	}
}

static void feed_tls(struct hh_netdetect *d, struct hh_net_flow *f, int dir, const uint8_t *p, size_t n)
{
	struct dir_state *s = &f->dir[dir];
	if (dir == 1) { /* the server side tells us nothing we use */
		dir_stop(s);
		return;
	}
	if (!buf_append(s, p, n, d->o.max_tls_hello)) {
		dir_stop(s);
		return;
	}
	enum hh_tls_rc rc = hh_tls_parse_client_hello((const uint8_t *)s->buf, s->len, &f->hello);
	if (rc == HH_TLS_NEED_MORE)
		return;
	if (rc == HH_TLS_OK) {
		f->hello_done = true;
		d->stats.tls_hellos++;
		if (hh_log_get_level() >= HH_LOG_DEBUG) {
			char c[64], sv[64];
			inet_ntop(f->key.family == 4 ? AF_INET : AF_INET6, f->key.cip, c, sizeof(c));
			inet_ntop(f->key.family == 4 ? AF_INET : AF_INET6, f->key.sip, sv, sizeof(sv));
			hh_debug("tls hello %s:%u -> %s:%u sni=%s alpn=%s ja3=%s ja4=%s", c, f->key.cport, sv, f->key.sport,
				 f->hello.has_sni ? f->hello.sni : "-", f->hello.alpn[0] ? f->hello.alpn : "-", f->hello.ja3,
				 f->hello.ja4);
		}
		if (f->hello.has_sni) {
			hh_strlcpy(f->server_name, f->hello.sni, sizeof(f->server_name));
			hh_strlcpy(f->name_source, "sni", sizeof(f->name_source));
			const struct hh_intel_entry *e = NULL;
			if (hh_intel_match_domain(d->intel, f->hello.sni, &e))
				f->intel_domain = e;
		}
	}
	dir_stop(s);
}

#define ENTROPY_SAMPLE 1024 /* bytes of a binary direction kept for the entropy test */

static void sample_final(struct dir_state *s)
{
	if (s->sampled)
		return;
	s->sampled = true;
	s->sample_len = s->len;
	s->entropy = hh_payload_entropy((const uint8_t *)s->buf, s->len);
	dir_stop(s);
}

/* Keeps the first ENTROPY_SAMPLE bytes of a binary direction, then judges them. */
static void sample_binary(struct dir_state *s, const uint8_t *p, size_t n)
{
	size_t room = ENTROPY_SAMPLE - s->len;
	if (!buf_append(s, p, n < room ? n : room, ENTROPY_SAMPLE) || s->len >= ENTROPY_SAMPLE)
		sample_final(s);
}

/* The payload of a direction reads as encrypted (or compressed); no sample: unknown (true). */
static bool dir_encrypted(const struct dir_state *s, double *entropy, size_t *n)
{
	*n = s->sampled ? s->sample_len : s->len;
	*entropy = s->sampled ? s->entropy : hh_payload_entropy((const uint8_t *)s->buf, s->len);
	return *n < 64 || hh_payload_looks_encrypted(*entropy, *n);
}

static enum stream_kind classify(const uint8_t *p, size_t n, struct hh_net_flow *f)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return SK_JSON;
	static const char *const http[] = { "GET ", "POST ", "PUT ", "HEAD ", "HTTP/", "OPTIONS ", "DELETE ", "PATCH " };
	for (size_t k = 0; k < sizeof(http) / sizeof(http[0]); k++) {
		size_t l = strlen(http[k]);
		if (n >= l && memcmp(p, http[k], l) == 0)
			return SK_HTTP;
	}
	if (hh_tls_looks_like(p, n))
		return SK_TLS;
	if (n >= 4 && memcmp(p, "SSH-", 4) == 0)
		return SK_SSH;
	enum hh_p2p_kind pk = hh_p2p_classify(p, n, f->p2p_detail, sizeof(f->p2p_detail));
	if (pk != HH_P2P_NONE) {
		f->p2p = pk;
		return SK_P2P;
	}
	size_t printable = 0;
	for (size_t k = 0; k < n && k < 64; k++)
		if (isprint(p[k]) || p[k] == '\r' || p[k] == '\n' || p[k] == '\t')
			printable++;
	return printable == (n < 64 ? n : 64) ? SK_TEXT : SK_BINARY;
}

void hh_netdetect_stream(struct hh_netdetect *d, struct hh_net_flow *f, int dir, const uint8_t *data, size_t len,
			 bool gap, double ts)
{
	dir = dir ? 1 : 0;
	struct dir_state *s = &f->dir[dir];
	if (s->done || len == 0)
		return;
	if (s->seen >= d->o.max_stream_bytes) {
		dir_stop(s);
		return;
	}
	if (s->seen + len > d->o.max_stream_bytes)
		len = (size_t)(d->o.max_stream_bytes - s->seen);
	s->seen += len;
	if (s->kind == SK_UNKNOWN) {
		/* Classify on the first bytes delivered. */
		s->kind = classify(data, len, f);
		if (s->kind == SK_TLS)
			f->tls = true;
		if (s->kind == SK_BINARY && !f->known_proto)
			f->known_proto = hh_known_binary_protocol(data, len);
		if (s->kind == SK_P2P || s->kind == SK_SSH || s->kind == SK_TEXT || s->kind == SK_BINARY) {
			if (s->kind == SK_BINARY && dir == 0 && len >= 2 && !f->p2p &&
			    hh_p2p_devp2p_shape(data, len, f->key.sport)) {
				f->p2p = HH_P2P_DEVP2P;
				snprintf(f->p2p_detail, sizeof(f->p2p_detail), "RLPx handshake, %zu-byte auth", len);
			}
			if (s->kind != SK_BINARY || f->p2p || f->known_proto) {
				dir_stop(s);
				return;
			}
		}
	}
	if (s->kind == SK_BINARY) {
		sample_binary(s, data, len);
		return;
	}
	if (gap && s->kind == SK_JSON) { /* never splice the halves of two lines */
		s->len = 0;
		s->overflow = false;
	}
	switch (s->kind) {
	case SK_JSON: feed_lines(d, f, dir, data, len, ts); break;
	case SK_HTTP:
		if (gap) {
			dir_stop(s);
			break;
		}
		feed_http(d, f, dir, data, len, ts);
		break;
	case SK_TLS: feed_tls(d, f, dir, data, len); break;
	default: dir_stop(s); break;
	}
}

/* ---- behavior ---- */

static bool eval_behavior(struct hh_netdetect *d, struct hh_net_flow *f, bool final)
{
	const struct hh_netdetect_opts *o = &d->o;
	if (f->reported_behavior || f->reported_mining || f->mining_msgs || f->p2p || !o->behavior_enabled)
		return false;
	/* Encrypted or unknown framing only: plaintext is parsed, SSH is interactive. */
	enum stream_kind k0 = f->dir[0].kind, k1 = f->dir[1].kind;
	bool tls = k0 == SK_TLS || k1 == SK_TLS;
	bool binary = k0 == SK_BINARY || (k0 == SK_UNKNOWN && k1 == SK_BINARY);
	if (!tls && !binary)
		return false;
	/* Without a TLS record layer, encryption must show in the payload: every
	 * sampled direction high-entropy, at least one with a full enough sample;
	 * and a protocol recognised by its framing is that protocol. */
	double ent[2] = { 0, 0 };
	size_t ent_n[2] = { 0, 0 };
	if (!tls) {
		if (f->known_proto)
			return false;
		bool enc0 = dir_encrypted(&f->dir[0], &ent[0], &ent_n[0]);
		bool enc1 = dir_encrypted(&f->dir[1], &ent[1], &ent_n[1]);
		if (!enc0 || !enc1 || (ent_n[0] < HH_ENTROPY_MIN_SAMPLE && ent_n[1] < HH_ENTROPY_MIN_SAMPLE))
			return false;
	}
	struct hh_flowfeat_summary s;
	hh_flowfeat_summarize(&f->feat, &s);
	/* A miner's submits are answered (share accepted): most client bursts get
	 * a server response. A server-sent-events stream pushes without being
	 * asked, and the client's rare bursts (acks, window updates) go unanswered. */
	const char *unlike = NULL;
	if (s.client_bursts < 2 || s.responses * 2 < s.client_bursts)
		unlike = "client bursts mostly unanswered";
	else if (s.duration < o->min_duration_s || s.pushes < o->min_pushes)
		unlike = "too short or too few server pushes";
	else if (s.period_median < o->min_period_s || s.period_median > o->max_period_s)
		unlike = "push period out of range";
	else if (s.push_median > o->max_push_bytes || s.client_median > o->max_client_bytes)
		unlike = "pushes or client bursts too large";
	else if (s.rate_bps > o->max_rate_bps || s.ratio > o->max_ratio || s.ratio < o->min_ratio)
		unlike = "rate or server/client ratio out of range";
	if (unlike) {
		/* Said once, at the flow's end: why a long encrypted flow was not called mining. */
		if (final && s.duration >= o->min_duration_s && hh_log_get_level() >= HH_LOG_DEBUG)
			hh_debug("flow port %u: not mining-shaped (%s): %.0f s, %u pushes, period %.1f s, "
				 "client bursts %u answered %u, push %u B, client %u B, %.0f B/s, ratio %.2f",
				 f->key.sport, unlike, s.duration, s.pushes, s.period_median, s.client_bursts,
				 s.responses, s.push_median, s.client_median, s.rate_bps, s.ratio);
		return false;
	}
	f->reported_behavior = true;
	bool intel_name = f->intel_domain || f->intel_ip;
	enum hh_severity sev = intel_name ? HH_SEV_HIGH : HH_SEV_MEDIUM;
	double conf = 0.5;
	if (tls && f->hello_done && !f->hello.has_sni)
		conf += 0.1;
	if (f->intel_port)
		conf += 0.1;
	if (s.period_cv < 0.5)
		conf += 0.1;
	if (tls && f->hello_done && f->hello.alpn[0])
		conf -= 0.1; /* browsers and HTTP clients offer ALPN; miners rarely do */
	if (intel_name)
		conf = 0.85;
	const char *rule = tls ? "net.tls-mining-behavior" : "net.encrypted-mining-behavior";
	char title[200];
	snprintf(title, sizeof(title), "%s flow behaves like a mining session (periodic small server pushes for %.0f s)",
		 tls ? "TLS" : "Encrypted", s.duration);
	struct hh_finding *x = hh_finding_new(d->source, rule, title, sev, conf);
	if (!x)
		return false;
	x->time = f->feat.last_ts;
	hh_finding_add_mitre(x, "T1496");
	hh_finding_add_mitre(x, "T1573");
	flow_fields(d, f, x);
	hh_finding_set_str(x, "net.dialect", tls ? "tls (behavior)" : "encrypted (behavior)");
	hh_finding_evidence_num(x, "duration_s", s.duration);
	hh_finding_evidence_num(x, "server pushes", s.pushes);
	if (s.pushes_by_size)
		hh_finding_evidencef(x, "pushes next to client bursts",
				     "%u (server bursts of the pushes' size right after a client burst)", s.pushes_by_size);
	hh_finding_evidence_num(x, "push period median_s", s.period_median);
	hh_finding_evidence_num(x, "push period cv", s.period_cv);
	hh_finding_evidencef(x, "push size bytes", "median %u, max %u", s.push_median, s.push_max);
	hh_finding_evidencef(x, "client burst bytes", "median %u, max %u, bursts %u", s.client_median, s.client_max,
			     s.client_bursts);
	hh_finding_evidence_num(x, "server/client payload ratio", s.ratio);
	hh_finding_evidencef(x, "client bursts answered", "%u of %u", s.responses, s.client_bursts);
	if (tls)
		hh_finding_evidence_str(x, "encryption", "TLS record layer");
	else
		hh_finding_evidencef(x, "encryption", "payload entropy client %.2f (%zu bytes), server %.2f (%zu bytes)",
				     ent[0], ent_n[0], ent[1], ent_n[1]);
	hh_finding_set_severity(x, sev, intel_name ? "mining-session behavior to a pool-intel server"
						   : "mining-session behavior alone (no pool intel)");
	/* Payload size profile: packets per size bucket (<64, <128, ... bytes). */
	for (int dir = 0; dir < 2; dir++) {
		char prof[256];
		size_t o = 0;
		prof[0] = 0;
		for (int b = 0; b < HH_FEAT_HIST && o + 1 < sizeof(prof); b++) {
			if (!f->feat.size_hist[dir][b])
				continue;
			int w = b == HH_FEAT_HIST - 1 ? snprintf(prof + o, sizeof(prof) - o, "%s>=%u:%u", o ? " " : "", 64u << (b - 1), f->feat.size_hist[dir][b])
						       : snprintf(prof + o, sizeof(prof) - o, "%s<%u:%u", o ? " " : "", 64u << b, f->feat.size_hist[dir][b]);
			if (w < 0)
				break;
			o += (size_t)w;
		}
		hh_finding_evidence_str(x, dir ? "server payload sizes (bytes:packets)" : "client payload sizes (bytes:packets)", prof);
	}
	hh_finding_evidence_num(x, "rate bytes/s", s.rate_bps);
	hh_finding_evidencef(x, "bytes", "client->server %llu, server->client %llu", (unsigned long long)s.bytes_c2s,
			     (unsigned long long)s.bytes_s2c);
	if (tls && f->hello_done) {
		hh_finding_evidence_str(x, "tls sni", f->hello.has_sni ? f->hello.sni : "(none)");
		if (f->hello.alpn[0])
			hh_finding_evidence_str(x, "tls alpn", f->hello.alpn);
		hh_finding_evidence_str(x, "ja3", f->hello.ja3);
		hh_finding_evidence_str(x, "ja4", f->hello.ja4);
	}
	intel_evidence(f, x);
	emit(d, x);
	return true;
}

static void eval_sv2(struct hh_netdetect *d, struct hh_net_flow *f)
{
	if (f->reported_sv2 || f->mining_msgs || f->p2p || f->tls)
		return;
	if (f->dir[0].first_payload != d->o.sv2_client_act || f->dir[1].first_payload != d->o.sv2_server_reply)
		return;
	if (!f->intel_port && !f->intel_domain && !f->intel_ip && f->key.sport != 34254)
		return;
	f->reported_sv2 = true;
	struct hh_finding *x = hh_finding_new(d->source, "net.stratum.v2",
					      "Stratum V2 (Noise) handshake shape on a mining-pool port", HH_SEV_MEDIUM, 0.6);
	if (!x)
		return;
	x->time = f->feat.first_ts;
	hh_finding_add_mitre(x, "T1496");
	flow_fields(d, f, x);
	hh_finding_set_str(x, "net.dialect", "stratum-v2");
	hh_finding_evidence_num(x, "client first message bytes", f->dir[0].first_payload);
	hh_finding_evidence_num(x, "server first message bytes", f->dir[1].first_payload);
	intel_evidence(f, x);
	emit(d, x);
}

static void report_p2p(struct hh_netdetect *d, struct hh_net_flow *f)
{
	if (f->reported_p2p || !f->p2p || f->mining_msgs)
		return;
	f->reported_p2p = true;
	char title[160];
	snprintf(title, sizeof(title), "Cryptocurrency node peer-to-peer traffic (%s): not pool mining", hh_p2p_name(f->p2p));
	struct hh_finding *x = hh_finding_new(d->source, "net.crypto-p2p", title, HH_SEV_INFO, 0.8);
	if (!x)
		return;
	x->time = f->feat.first_ts;
	flow_fields(d, f, x);
	hh_finding_set_str(x, "net.dialect", hh_p2p_name(f->p2p));
	if (f->p2p_detail[0])
		hh_finding_evidence_str(x, "first message", f->p2p_detail);
	hh_finding_evidence_num(x, "duration_s", f->feat.last_ts - f->feat.first_ts);
	emit(d, x);
}

static void report_intel(struct hh_netdetect *d, struct hh_net_flow *f)
{
	if (f->reported_intel || f->reported_mining || f->reported_behavior || f->reported_sv2 || f->p2p)
		return;
	if (!f->intel_domain && !f->intel_ip)
		return;
	f->reported_intel = true;
	bool dom = f->intel_domain != NULL;
	char title[320];
	snprintf(title, sizeof(title), "Connection to a mining-pool %s (%s)", dom ? "domain" : "address",
		 dom ? f->server_name : f->intel_ip->value);
	struct hh_finding *x = hh_finding_new(d->source, dom ? "net.pool-domain" : "net.pool-ip", title, HH_SEV_LOW, 0.4);
	if (!x)
		return;
	x->time = f->feat.first_ts;
	hh_finding_add_mitre(x, "T1496");
	flow_fields(d, f, x);
	if (f->name_source[0])
		hh_finding_evidence_str(x, "name from", f->name_source);
	hh_finding_evidencef(x, "framing", "client %s, server %s", kind_name(f->dir[0].kind), kind_name(f->dir[1].kind));
	intel_evidence(f, x);
	emit(d, x);
}

void hh_netdetect_packet(struct hh_netdetect *d, struct hh_net_flow *f, int dir, double ts, uint32_t wire_len,
			 uint32_t payload_len)
{
	dir = dir ? 1 : 0;
	hh_flowfeat_packet(&f->feat, dir, ts, wire_len, payload_len);
	struct dir_state *s = &f->dir[dir];
	if (payload_len) {
		if (s->payload_pkts++ == 0)
			s->first_payload = payload_len;
		if (f->dir[0].payload_pkts >= 1 && f->dir[1].payload_pkts == 1 && dir == 1)
			eval_sv2(d, f);
	}
	if (d->o.report_early && ts - f->last_eval >= d->o.eval_interval_s) {
		f->last_eval = ts;
		eval_behavior(d, f, false);
	}
}

void hh_netdetect_flow_end(struct hh_netdetect *d, struct hh_net_flow *f)
{
	if (!f)
		return;
	report_mining(d, f);
	eval_behavior(d, f, true);
	report_p2p(d, f);
	report_intel(d, f);
	for (int i = 0; i < 2; i++)
		free(f->dir[i].buf);
	free(f);
}

/* ---- DNS ---- */

static bool dns_already(struct hh_netdetect *d, const char *name)
{
	for (size_t i = 0; i < d->n_dns_reported; i++)
		if (strcasecmp(d->dns_reported[i], name) == 0)
			return true;
	if (d->n_dns_reported < d->o.max_dns_names) {
		char *c = strdup(name);
		if (c)
			d->dns_reported[d->n_dns_reported++] = c;
		return false;
	}
	return true; /* table full: stay quiet rather than flood */
}

void hh_netdetect_udp(struct hh_netdetect *d, int family, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		      uint16_t dport, const uint8_t *payload, size_t len, double ts)
{
	if (sport != 53 && dport != 53 && sport != 5353 && dport != 5353)
		return;
	struct hh_dns_msg m;
	const char *why;
	if (hh_dns_parse(payload, len, &m, &why) < 0) {
		d->stats.dns_malformed++;
		return;
	}
	d->stats.dns_messages++;
	if (m.response)
		hh_dns_cache_add(d->dns, &m, ts);
	if (!m.qname[0])
		return;
	const struct hh_intel_entry *e = NULL;
	const char *hit = NULL;
	if (hh_intel_match_domain(d->intel, m.qname, &e))
		hit = m.qname;
	for (size_t i = 0; !hit && i < m.n_answers; i++)
		if (m.answers[i].type == 5 && hh_intel_match_domain(d->intel, m.answers[i].cname, &e))
			hit = m.answers[i].cname;
	if (!hit || dns_already(d, m.qname))
		return;
	char title[320];
	snprintf(title, sizeof(title), "DNS lookup of a mining-pool domain (%s)", m.qname);
	struct hh_finding *x = hh_finding_new(d->source, "net.pool-domain", title, HH_SEV_LOW, 0.4);
	if (!x)
		return;
	x->time = ts;
	hh_finding_add_mitre(x, "T1496");
	char a[64];
	/* The resolver client is the query's source (the response's destination). */
	const uint8_t *client = m.response ? dst : src;
	uint16_t cport = m.response ? dport : sport;
	const uint8_t *server = m.response ? src : dst;
	inet_ntop(family == 4 ? AF_INET : AF_INET6, server, a, sizeof(a));
	hh_finding_set_str(x, "fd.sip", a);
	hh_finding_set_int(x, "fd.sport", 53);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, client, a, sizeof(a));
	hh_finding_set_str(x, "fd.cip", a);
	hh_finding_set_int(x, "fd.cport", cport);
	hh_finding_set_str(x, "fd.l4proto", "udp");
	hh_finding_set_str(x, "fd.sip.name", m.qname);
	hh_finding_evidence_str(x, "query", m.qname);
	if (hit != m.qname)
		hh_finding_evidence_str(x, "cname", hit);
	hh_finding_evidencef(x, "pool domain (intel)", "%s (%s:%u)", e->value, e->source, e->line);
	size_t n_addr = 0;
	for (size_t i = 0; i < m.n_answers; i++)
		if (m.answers[i].type == 1 || m.answers[i].type == 28) {
			inet_ntop(m.answers[i].type == 1 ? AF_INET : AF_INET6, m.answers[i].addr, a, sizeof(a));
			if (n_addr++ < 4)
				hh_finding_evidence_str(x, "answer", a);
		}
	emit(d, x);
}
