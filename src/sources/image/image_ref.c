/* Image reference parsing (see image_ref.h). */
#include "sources/image/image_ref.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sources/image/image_source.h"

static bool repo_ok(const char *s)
{
	if (!*s || *s == '/' || s[strlen(s) - 1] == '/' || strstr(s, "//") || strstr(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._/-", *p)))
			return false;
	return true;
}

static bool tag_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 128 || *s == '.' || *s == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._-", *p)))
			return false;
	return true;
}

static bool host_ok(const char *s)
{
	if (!*s || *s == '.' || *s == '-' || strstr(s, ".."))
		return false;
	/* host:port (digits), or a bracketed IPv6 address */
	const char *colon = *s == '[' ? strstr(s, "]:") : strchr(s, ':');
	if (colon) {
		const char *port = colon + (*s == '[' ? 2 : 1);
		if (!*port || strspn(port, "0123456789") != strlen(port))
			return false;
	}
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr(".-:[]", *p)))
			return false;
	return true;
}

int hh_image_ref_parse(const char *s, struct hh_image_ref *r)
{
	memset(r, 0, sizeof(*r));
	char buf[700];
	if (!s || strlen(s) >= sizeof(buf) - 20)
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	char *at = strchr(buf, '@');
	if (at) {
		*at = 0;
		if (!hh_digest_valid(at + 1) || strlen(at + 1) >= sizeof(r->digest))
			return -1;
		snprintf(r->digest, sizeof(r->digest), "%s", at + 1);
	}
	char *rest = buf;
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		if (strchr(buf, '.') || strchr(buf, ':') || !strcmp(buf, "localhost")) {
			if (!host_ok(buf) || strlen(buf) >= sizeof(r->registry))
				return -1;
			snprintf(r->registry, sizeof(r->registry), "%s", buf);
			rest = slash + 1;
		} else {
			*slash = '/';
		}
	}
	if (!r->registry[0])
		snprintf(r->registry, sizeof(r->registry), "docker.io");
	char *colon = strrchr(rest, ':');
	if (colon) {
		*colon = 0;
		if (!tag_ok(colon + 1))
			return -1;
		snprintf(r->tag, sizeof(r->tag), "%s", colon + 1);
	} else if (!r->digest[0]) {
		snprintf(r->tag, sizeof(r->tag), "latest");
	}
	bool library = !strcmp(r->registry, "docker.io") && !strchr(rest, '/');
	if (!repo_ok(rest) || strlen(rest) + (library ? 8 : 0) >= sizeof(r->repo))
		return -1;
	if (library)
		snprintf(r->repo, sizeof(r->repo), "library/%.247s", rest);
	else
		snprintf(r->repo, sizeof(r->repo), "%.255s", rest);
	if (r->tag[0])
		snprintf(r->name, sizeof(r->name), "%s/%s:%s", r->registry, r->repo, r->tag);
	else
		snprintf(r->name, sizeof(r->name), "%s/%s@%s", r->registry, r->repo, r->digest);
	return 0;
}
