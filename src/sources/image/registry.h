/* Images pulled from a registry over the OCI distribution API (libcurl),
 * written into temporary OCI layouts (layout_writer.h), one per platform.
 *  - Manifests are asked for with the OCI and Docker v2 media types; an
 *    index (manifest list) gives every platform, or only those matching
 *    --platform OS/ARCH[/VARIANT]; attestation entries (unknown/unknown) are
 *    skipped.
 *  - Every manifest and blob is checked against its digest while it is
 *    written (Docker-Content-Digest for a manifest fetched by tag); a
 *    mismatch is an input error and the blob is not kept.
 *  - Authentication: anonymous first; on 401 the WWW-Authenticate challenge
 *    is answered (Bearer: a token from the realm for repository:REPO:pull,
 *    with Basic credentials when there are any; Basic: the credentials).
 *    Credentials come from the usual auth files, first match wins:
 *    $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
 *    ~/.config/containers/auth.json, $DOCKER_CONFIG/config.json or
 *    ~/.docker/config.json ("auths": {HOST: {"auth": base64(user:pass)}}).
 *  - Plain HTTP is used for loopback registries (localhost, 127.0.0.0/8,
 *    [::1]) and with insecure; HTTPS with certificate checks otherwise.
 *  - Progress goes to stderr (info log) for each blob and every few seconds
 *    during long downloads. Sizes are bounded (manifests by max_json, each
 *    blob by max_blob). */
#ifndef HH_REGISTRY_H
#define HH_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sources/image/image_ref.h"
#include "sources/image/layout_writer.h"

#define HH_REGISTRY_MAX_PLATFORMS 16

struct hh_registry_opts {
	const char *platform;   /* "os/arch[/variant]" or NULL: every platform */
	bool insecure;          /* plain HTTP / no certificate check for any registry */
	uint64_t max_json;
	uint64_t max_blob;
	long timeout_s;         /* per request, 0: 300 */
};

struct hh_pulled {
	struct hh_layout layout;
	char platform[64];      /* "linux/amd64", "" for a single manifest without platform */
};

/* Pulls ref into up to max layouts. Returns the number written (>= 0; *errors
 * counts digest mismatches and blobs that could not be fetched, each logged),
 * or -1 when nothing could be pulled (err). */
int hh_registry_pull(const struct hh_image_ref *ref, const struct hh_registry_opts *o, struct hh_pulled *out,
		     size_t max, size_t *errors, char *err, size_t errlen);

/* Whether an index entry's platform object p matches want ("os/arch[/variant]";
 * "linux/arm64" also matches "linux/arm64/v8"; NULL matches all but the
 * unknown/unknown attestation entries). name gets "os/arch[/variant]". Shared
 * with the local stores that keep indexes (containerd.h). */
bool hh_platform_matches(json_t *p, const char *want, char *name, size_t n);

#endif
