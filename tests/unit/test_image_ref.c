/* Image reference parsing (image_ref.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sources/image/image_ref.h"

static void expect(const char *in, const char *reg, const char *repo, const char *tag, const char *digest,
		   const char *name)
{
	struct hh_image_ref r;
	if (hh_image_ref_parse(in, &r) != 0)
		fail_msg("%s: not parsed", in);
	assert_string_equal(r.registry, reg);
	assert_string_equal(r.repo, repo);
	assert_string_equal(r.tag, tag);
	assert_string_equal(r.digest, digest);
	assert_string_equal(r.name, name);
}

static void test_refs(void **st)
{
	(void)st;
	static const char D[] = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	expect("alpine", "docker.io", "library/alpine", "latest", "", "docker.io/library/alpine:latest");
	expect("alpine:3.19", "docker.io", "library/alpine", "3.19", "", "docker.io/library/alpine:3.19");
	expect("bitnami/redis", "docker.io", "bitnami/redis", "latest", "", "docker.io/bitnami/redis:latest");
	expect("localhost/app:v1", "localhost", "app", "v1", "", "localhost/app:v1");
	expect("127.0.0.1:5000/hh/multi:1", "127.0.0.1:5000", "hh/multi", "1", "", "127.0.0.1:5000/hh/multi:1");
	expect("quay.io/org/img@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "quay.io",
	       "org/img", "", D, "quay.io/org/img@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

static void test_not_refs(void **st)
{
	(void)st;
	struct hh_image_ref r;
	const char *bad[] = { "", "UPPER/case", "a//b", "../etc", "x:", "x:-bad", "img@sha256:xyz", "/abs/path",
			      "reg.io/", "a b", "x:tag:more/y" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hh_image_ref_parse(bad[i], &r) == 0)
			fail_msg("\"%s\" parsed as %s", bad[i], r.name);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_refs), cmocka_unit_test(test_not_refs) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
