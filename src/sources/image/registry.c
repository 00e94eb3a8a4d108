/* Registry pulls over the OCI distribution API (see registry.h). */
#include "sources/image/registry.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "core/finding.h"
#include "core/log.h"
#include "sources/image/image_source.h"

#define ACCEPT_MANIFESTS                                                                                       \
	"Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "        \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                                          \
	"application/vnd.docker.distribution.manifest.v2+json"

struct reg {
	CURL *c;
	const struct hh_registry_opts *o;
	const struct hh_image_ref *ref;
	char base[600];          /* scheme://host/v2/repo */
	char auth_hdr[8300];     /* "Authorization: ..." or "" */
	char basic[1024];        /* base64(user:pass) from the auth files, or "" */
	bool tried_auth;
};

/* ---- response capture ---- */

struct resp {
	CURL *c;                 /* set by http_get: bodies of non-2xx answers are dropped */
	/* body into memory (buf) or into a blob writer (w) */
	char *buf;
	size_t len, max;
	struct hh_blob_writer *w;
	bool too_big, write_failed;
	char werr[300];
	char challenge[1024];    /* WWW-Authenticate */
	char content_type[160];
	char digest[100];        /* Docker-Content-Digest */
	/* progress */
	const char *label;
	double last_report;
};

static size_t on_body(char *p, size_t sz, size_t n, void *user)
{
	struct resp *r = user;
	size_t k = sz * n;
	long code = 0;
	curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code >= 300)
		return k;
	if (r->w) {
		if (hh_blob_write(r->w, p, k, r->werr, sizeof(r->werr)) < 0) {
			r->write_failed = true;
			return 0;
		}
		return k;
	}
	if (k > r->max - r->len) {
		r->too_big = true;
		return 0;
	}
	char *nb = realloc(r->buf, r->len + k + 1);
	if (!nb)
		return 0;
	r->buf = nb;
	memcpy(r->buf + r->len, p, k);
	r->len += k;
	r->buf[r->len] = 0;
	return k;
}

static void header_value(const char *line, size_t n, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	if (n <= nl || strncasecmp(line, name, nl) || line[nl] != ':')
		return;
	const char *v = line + nl + 1;
	size_t vl = n - nl - 1;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	snprintf(out, outlen, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t sz, size_t n, void *user)
{
	struct resp *r = user;
	size_t k = sz * n;
	/* a new status line (redirect, 100-continue) starts a new header set */
	if (k > 5 && !strncmp(p, "HTTP/", 5))
		r->challenge[0] = r->content_type[0] = r->digest[0] = 0;
	header_value(p, k, "WWW-Authenticate", r->challenge, sizeof(r->challenge));
	header_value(p, k, "Content-Type", r->content_type, sizeof(r->content_type));
	header_value(p, k, "Docker-Content-Digest", r->digest, sizeof(r->digest));
	return k;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ut, curl_off_t un)
{
	(void)ut;
	(void)un;
	struct resp *r = user;
	double t = hh_mono();
	if (r->label && t - r->last_report >= 3.0 && dlnow > 0) {
		r->last_report = t;
		if (dltotal > 0)
			hh_info("pull: %s: %.1f/%.1f MB", r->label, (double)dlnow / 1e6, (double)dltotal / 1e6);
		else
			hh_info("pull: %s: %.1f MB", r->label, (double)dlnow / 1e6);
	}
	return 0;
}

/* One GET. Returns the HTTP status, or -1 with err on a transport error. */
static long http_get(struct reg *g, const char *url, const char *accept, const char *auth, struct resp *r,
		     char *err, size_t errlen)
{
	CURL *c = g->c;
	curl_easy_reset(c);
	r->c = c;
	struct curl_slist *h = NULL;
	if (accept)
		h = curl_slist_append(h, accept);
	if (auth && *auth)
		h = curl_slist_append(h, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	/* blobs are often redirected to storage that must not see our token */
	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, r);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, g->o->timeout_s > 0 ? g->o->timeout_s : 300L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hashhound/" HH_VERSION);
	if (g->o->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_slist_free_all(h);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && (r->too_big || r->write_failed))) {
		snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(rc));
		return -1;
	}
	if (r->too_big) {
		snprintf(err, errlen, "%s: response larger than %zu bytes", url, r->max);
		return -1;
	}
	if (r->write_failed) {
		snprintf(err, errlen, "%s: %s", url, r->werr);
		return -1;
	}
	return status;
}

/* ---- credentials ---- */

static bool auth_from_file(const char *path, const char *host, char *out, size_t n)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		return false;
	json_t *auths = json_object_get(j, "auths");
	const char *keys[4];
	char k1[400], k2[400];
	snprintf(k1, sizeof(k1), "https://%s", host);
	snprintf(k2, sizeof(k2), "https://%s/v1/", host);
	keys[0] = host;
	keys[1] = k1;
	keys[2] = k2;
	keys[3] = !strcmp(host, "docker.io") ? "https://index.docker.io/v1/" : NULL;
	bool ok = false;
	for (int i = 0; i < 4 && !ok; i++) {
		if (!keys[i])
			continue;
		const char *a = json_string_value(json_object_get(json_object_get(auths, keys[i]), "auth"));
		if (a && *a && strlen(a) < n) {
			snprintf(out, n, "%s", a);
			ok = true;
		}
	}
	json_decref(j);
	return ok;
}

static void find_credentials(const char *host, char *out, size_t n)
{
	out[0] = 0;
	const char *home = getenv("HOME"), *xdg = getenv("XDG_RUNTIME_DIR"), *rf = getenv("REGISTRY_AUTH_FILE");
	const char *dc = getenv("DOCKER_CONFIG");
	char paths[5][600];
	int np = 0;
	if (rf && *rf)
		snprintf(paths[np++], sizeof(paths[0]), "%s", rf);
	if (xdg && *xdg)
		snprintf(paths[np++], sizeof(paths[0]), "%s/containers/auth.json", xdg);
	if (home && *home)
		snprintf(paths[np++], sizeof(paths[0]), "%s/.config/containers/auth.json", home);
	if (dc && *dc)
		snprintf(paths[np++], sizeof(paths[0]), "%s/config.json", dc);
	else if (home && *home)
		snprintf(paths[np++], sizeof(paths[0]), "%s/.docker/config.json", home);
	for (int i = 0; i < np; i++)
		if (auth_from_file(paths[i], host, out, n))
			return;
}

/* Reads key="value" from a WWW-Authenticate challenge. */
static void challenge_param(const char *ch, const char *key, char *out, size_t n)
{
	out[0] = 0;
	size_t kl = strlen(key);
	for (const char *p = ch; (p = strstr(p, key)); p += kl) {
		if (p > ch && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		if (p[kl] != '=')
			continue;
		const char *v = p + kl + 1;
		if (*v == '"') {
			const char *e = strchr(v + 1, '"');
			if (e)
				snprintf(out, n, "%.*s", (int)(e - v - 1), v + 1);
		} else {
			size_t l = strcspn(v, ", ");
			snprintf(out, n, "%.*s", (int)l, v);
		}
		return;
	}
}

/* Answers a 401 challenge: sets g->auth_hdr. Returns 0, or -1 with err. */
static int authenticate(struct reg *g, const char *challenge, char *err, size_t errlen)
{
	if (!strncasecmp(challenge, "Basic", 5)) {
		if (!g->basic[0]) {
			snprintf(err, errlen, "%s: unauthorized and no credentials for it in the auth files",
				 g->ref->registry);
			return -1;
		}
		snprintf(g->auth_hdr, sizeof(g->auth_hdr), "Authorization: Basic %s", g->basic);
		return 0;
	}
	if (strncasecmp(challenge, "Bearer", 6)) {
		snprintf(err, errlen, "%s: unsupported authentication challenge \"%.60s\"", g->ref->registry, challenge);
		return -1;
	}
	char realm[512], service[256], scope[400];
	challenge_param(challenge, "realm", realm, sizeof(realm));
	challenge_param(challenge, "service", service, sizeof(service));
	challenge_param(challenge, "scope", scope, sizeof(scope));
	if (strncmp(realm, "https://", 8) && strncmp(realm, "http://", 7)) {
		snprintf(err, errlen, "%s: bearer challenge without an http(s) realm", g->ref->registry);
		return -1;
	}
	if (!scope[0])
		snprintf(scope, sizeof(scope), "repository:%s:pull", g->ref->repo);
	char *es = curl_easy_escape(g->c, service, 0), *esc = curl_easy_escape(g->c, scope, 0);
	char url[1400];
	snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es ? es : "",
		 esc ? esc : "");
	curl_free(es);
	curl_free(esc);
	char basic[1100] = "";
	if (g->basic[0])
		snprintf(basic, sizeof(basic), "Authorization: Basic %s", g->basic);
	struct resp r = { .max = 1u << 20 };
	long st = http_get(g, url, NULL, basic, &r, err, errlen);
	json_t *j = st == 200 && r.buf ? json_loadb(r.buf, r.len, 0, NULL) : NULL;
	const char *tok = json_string_value(json_object_get(j, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	int rc = 0;
	if (st >= 0 && (!tok || strlen(tok) > sizeof(g->auth_hdr) - 40)) {
		snprintf(err, errlen, "%s: token request to %s answered %ld without a usable token", g->ref->registry,
			 realm, st);
		rc = -1;
	} else if (st < 0) {
		rc = -1;
	} else {
		snprintf(g->auth_hdr, sizeof(g->auth_hdr), "Authorization: Bearer %s", tok);
	}
	json_decref(j);
	free(r.buf);
	return rc;
}

/* GET with authentication on demand. Returns the status or -1. */
static long reg_get(struct reg *g, const char *url, const char *accept, struct resp *r, char *err, size_t errlen)
{
	long st = http_get(g, url, accept, g->auth_hdr, r, err, errlen);
	if (st == 401 && !g->tried_auth) {
		g->tried_auth = true;
		char challenge[1024];
		snprintf(challenge, sizeof(challenge), "%s", r->challenge);
		if (authenticate(g, challenge, err, errlen) < 0)
			return -1;
		st = http_get(g, url, accept, g->auth_hdr, r, err, errlen);
	}
	return st;
}

/* ---- manifests and blobs ---- */

static bool is_index(const char *mt, json_t *doc)
{
	return (mt && (strstr(mt, "image.index") || strstr(mt, "manifest.list"))) ||
	       json_is_array(json_object_get(doc, "manifests"));
}

static void sha256_hex(const void *buf, size_t n, char out[80])
{
	uint8_t h[32];
	unsigned hl = 0;
	EVP_Digest(buf, n, h, &hl, EVP_sha256(), NULL);
	snprintf(out, 80, "sha256:");
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", h[i]);
}

/* Fetches a manifest (by tag or digest). Returns the document (body in *raw). */
static json_t *get_manifest(struct reg *g, const char *ref, const char *want_digest, char **raw, size_t *rawlen,
			    char *mt, size_t mtlen, char *digest_out, char *err, size_t errlen)
{
	char url[1000];
	snprintf(url, sizeof(url), "%s/manifests/%s", g->base, ref);
	struct resp r = { .max = (size_t)g->o->max_json };
	long st = reg_get(g, url, ACCEPT_MANIFESTS, &r, err, errlen);
	if (st < 0 || st != 200) {
		if (st > 0)
			snprintf(err, errlen, "%s: HTTP %ld%s", url, st, st == 404 ? " (no such image or tag)" : "");
		free(r.buf);
		return NULL;
	}
	char dg[80];
	sha256_hex(r.buf ? r.buf : "", r.len, dg);
	const char *expect = want_digest && *want_digest ? want_digest : (r.digest[0] ? r.digest : NULL);
	if (expect && strcmp(expect, dg)) {
		snprintf(err, errlen, "%s: digest mismatch: expected %s, content is %s", url, expect, dg);
		free(r.buf);
		return NULL;
	}
	json_error_t je;
	json_t *doc = r.buf ? json_loadb(r.buf, r.len, 0, &je) : NULL;
	if (!doc) {
		snprintf(err, errlen, "%s: not JSON (%s)", url, r.buf ? je.text : "empty body");
		free(r.buf);
		return NULL;
	}
	const char *dmt = json_string_value(json_object_get(doc, "mediaType"));
	char *semi = strchr(r.content_type, ';');
	if (semi)
		*semi = 0;
	snprintf(mt, mtlen, "%s", dmt ? dmt : r.content_type);
	snprintf(digest_out, 80, "%s", dg);
	*raw = r.buf;
	*rawlen = r.len;
	return doc;
}

static int get_blob(struct reg *g, const struct hh_layout *l, const char *digest, const char *label, char *err,
		    size_t errlen)
{
	if (!hh_digest_valid(digest)) {
		snprintf(err, errlen, "invalid blob digest \"%.80s\"", digest);
		return -1;
	}
	char url[1000];
	snprintf(url, sizeof(url), "%s/blobs/%s", g->base, digest);
	struct hh_blob_writer w;
	if (hh_blob_begin(l, &w, g->o->max_blob, err, errlen) < 0)
		return -1;
	struct resp r = { .w = &w, .label = label, .last_report = hh_mono() };
	long st = reg_get(g, url, NULL, &r, err, errlen);
	if (st != 200) {
		if (st > 0)
			snprintf(err, errlen, "%s: HTTP %ld", url, st);
		hh_blob_abort(&w);
		return -1;
	}
	char dg[80];
	return hh_blob_finish(&w, digest, dg, sizeof(dg), NULL, err, errlen);
}

bool hh_platform_matches(json_t *p, const char *want, char *name, size_t n)
{
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	const char *var = json_string_value(json_object_get(p, "variant"));
	snprintf(name, n, "%s/%s%s%s", os ? os : "unknown", arch ? arch : "unknown", var ? "/" : "", var ? var : "");
	if (os && arch && !strcmp(os, "unknown") && !strcmp(arch, "unknown"))
		return false; /* attestation manifests */
	if (!want)
		return true;
	size_t wl = strlen(want);
	/* "linux/arm64" also matches "linux/arm64/v8" */
	return !strncmp(name, want, wl) && (name[wl] == 0 || name[wl] == '/');
}

/* Pulls one image manifest (raw bytes known) into a new layout. */
static int pull_image(struct reg *g, const char *mraw, size_t mlen, const char *mdigest, const char *mt, json_t *m,
		      const char *platform, struct hh_pulled *out, size_t *errors, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->platform, sizeof(out->platform), "%s", platform);
	if (hh_layout_create(&out->layout, err, errlen) < 0)
		return -1;
	char dg[80];
	if (hh_layout_put(&out->layout, mraw, mlen, mdigest, dg, sizeof(dg), err, errlen) < 0)
		goto fail;
	json_t *cfg = json_object_get(m, "config");
	const char *cdg = json_string_value(json_object_get(cfg, "digest"));
	char label[900], lerr[1200];
	snprintf(label, sizeof(label), "%s%s%s config", g->ref->name, platform[0] ? " " : "", platform);
	if (!cdg || get_blob(g, &out->layout, cdg, label, lerr, sizeof(lerr)) < 0) {
		(*errors)++;
		hh_err("pull: %s: config: %s", g->ref->name, cdg ? lerr : "manifest has no config digest");
	}
	json_t *layers = json_object_get(m, "layers");
	size_t n = json_array_size(layers);
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(layers, i);
		const char *ld = json_string_value(json_object_get(d, "digest"));
		json_int_t sz = json_integer_value(json_object_get(d, "size"));
		snprintf(label, sizeof(label), "%s%s%s layer %zu/%zu", g->ref->name, platform[0] ? " " : "", platform,
			 i + 1, n);
		hh_info("pull: %s: %.19s (%.1f MB)", label, ld ? ld : "?", (double)sz / 1e6);
		if (!ld || get_blob(g, &out->layout, ld, label, lerr, sizeof(lerr)) < 0) {
			(*errors)++;
			hh_err("pull: %s: %s; layer not scanned", label, ld ? lerr : "no digest");
		}
	}
	char refname[760];
	snprintf(refname, sizeof(refname), "%s", g->ref->name);
	if (hh_layout_write_index(&out->layout, mdigest, mlen, mt, refname, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	hh_layout_remove(&out->layout);
	return -1;
}

static bool is_loopback(const char *host)
{
	return !strncmp(host, "localhost", 9) && (host[9] == 0 || host[9] == ':') ? true
	       : !strncmp(host, "127.", 4)                                      ? true
	       : !strncmp(host, "[::1]", 5);
}

int hh_registry_pull(const struct hh_image_ref *ref, const struct hh_registry_opts *o, struct hh_pulled *out,
		     size_t max, size_t *errors, char *err, size_t errlen)
{
	*errors = 0;
	static bool curl_ready;
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	struct reg g = { .o = o, .ref = ref };
	g.c = curl_easy_init();
	if (!g.c) {
		snprintf(err, errlen, "libcurl: cannot start");
		return -1;
	}
	const char *host = !strcmp(ref->registry, "docker.io") ? "registry-1.docker.io" : ref->registry;
	snprintf(g.base, sizeof(g.base), "%s://%s/v2/%s", o->insecure || is_loopback(host) ? "http" : "https", host,
		 ref->repo);
	find_credentials(ref->registry, g.basic, sizeof(g.basic));
	char *raw = NULL;
	size_t rawlen = 0;
	char mt[160], dg[80];
	int got = -1;
	json_t *doc = get_manifest(&g, ref->digest[0] ? ref->digest : ref->tag, ref->digest, &raw, &rawlen, mt,
				   sizeof(mt), dg, err, errlen);
	if (!doc)
		goto out;
	hh_info("pull: %s: %s %s", ref->name, is_index(mt, doc) ? "index" : "manifest", dg);
	got = 0;
	if (!is_index(mt, doc)) {
		if (o->platform)
			hh_warn("pull: %s: single-platform image; --platform %s not checked against it", ref->name,
				o->platform);
		if (max && pull_image(&g, raw, rawlen, dg, mt, doc, "", &out[0], errors, err, errlen) == 0)
			got = 1;
		else
			got = -1;
		goto out;
	}
	json_t *ms = json_object_get(doc, "manifests");
	for (size_t i = 0; i < json_array_size(ms) && (size_t)got < max; i++) {
		json_t *d = json_array_get(ms, i);
		char plat[64];
		if (!hh_platform_matches(json_object_get(d, "platform"), o->platform, plat, sizeof(plat)))
			continue;
		const char *md = json_string_value(json_object_get(d, "digest"));
		char *mraw = NULL;
		size_t mlen = 0;
		char mmt[160], mdg[80], merr[1200];
		json_t *m = md && hh_digest_valid(md)
				    ? get_manifest(&g, md, md, &mraw, &mlen, mmt, sizeof(mmt), mdg, merr, sizeof(merr))
				    : NULL;
		if (!m) {
			(*errors)++;
			hh_err("pull: %s %s: %s", ref->name, plat, md ? merr : "index entry without a valid digest");
			continue;
		}
		if (is_index(mmt, m)) {
			(*errors)++;
			hh_err("pull: %s %s: nested index not followed", ref->name, plat);
		} else if (pull_image(&g, mraw, mlen, mdg, mmt, m, plat, &out[got], errors, merr, sizeof(merr)) == 0) {
			got++;
		} else {
			(*errors)++;
			hh_err("pull: %s %s: %s", ref->name, plat, merr);
		}
		json_decref(m);
		free(mraw);
	}
	if (!got) {
		snprintf(err, errlen, "%s: no platform%s%s in the index could be pulled", ref->name,
			 o->platform ? " matching " : "", o->platform ? o->platform : "");
		got = -1;
	}
out:
	json_decref(doc);
	free(raw);
	curl_easy_cleanup(g.c);
	return got;
}
