/*
 * Unit tests of migration checksums (lib/checksum.c): what the
 * normalization removes (CRLF, a leading byte order mark, trailing blank
 * lines, a missing or extra final newline) and what it keeps (every other
 * byte, blank lines inside, trailing spaces on a line of text), and that
 * the hash is SHA-256 of the normalized text (known vectors).
 */
#include "unit.h"

#include "lib/checksum.h"

static void check_norm(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	rt_checksum_normalize(in, strlen(in), &sb);
	if (strcmp(sb.buf, want))
		fail_msg("normalize('%s') = '%s', expected '%s'", in, sb.buf, want);
	strbuf_release(&sb);
}

static void normalization(void **state)
{
	(void)state;
	check_norm("SELECT 1;", "SELECT 1;\n");
	check_norm("SELECT 1;\n", "SELECT 1;\n");
	check_norm("SELECT 1;\n\n\n", "SELECT 1;\n");
	check_norm("SELECT 1;\n  \n\t\n \t \n", "SELECT 1;\n");
	check_norm("SELECT 1;\r\nSELECT 2;\r\n\r\n", "SELECT 1;\nSELECT 2;\n");
	check_norm("\xef\xbb\xbfSELECT 1;\n", "SELECT 1;\n");
	check_norm("\xef\xbb\xbf\r\n", "");
	check_norm("", "");
	check_norm("\n\n \n", "");
	/* kept: leading and inner blank lines, a lone CR, trailing spaces of text,
	 * a byte order mark that does not start the text */
	check_norm("\nSELECT 1;\n\nSELECT 2;\n", "\nSELECT 1;\n\nSELECT 2;\n");
	check_norm("SELECT 1;\rSELECT 2;", "SELECT 1;\rSELECT 2;\n");
	check_norm("SELECT 1;  \n\n", "SELECT 1;  \n");
	check_norm("x\xef\xbb\xbf", "x\xef\xbb\xbf\n");
	/* appends to what the buffer holds */
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "keep\n");
	rt_checksum_normalize("\n\n", 2, &sb);
	assert_string_equal(sb.buf, "keep\n");
	rt_checksum_normalize("a\r\n\r\n", 5, &sb);
	assert_string_equal(sb.buf, "keep\na\n");
	strbuf_release(&sb);
}

static void sha256_of_normalized(void **state)
{
	(void)state;
	char sum[RT_CHECKSUM_HEX];
	/* sha256sum of "abc\n", of "", of "SELECT 1;\n\n  x\n" */
	rt_checksum_text("abc", 3, sum);
	assert_string_equal(sum, "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
	rt_checksum_text("\xef\xbb\xbf" "abc\r\n\r\n  \n", 13, sum);
	assert_string_equal(sum, "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
	rt_checksum_text("", 0, sum);
	assert_string_equal(sum, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	rt_checksum_text("SELECT 1;\r\n\r\n  x", 16, sum);
	assert_string_equal(sum, "824937dbd99a27351644475e12da793559a5bc612652cd457164ecf86d216592");
	/* a real edit changes it */
	rt_checksum_text("abd", 3, sum);
	assert_string_not_equal(sum, "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
	assert_int_equal(strlen(sum), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalization),
		cmocka_unit_test(sha256_of_normalized),
	};
	return cmocka_run_group_tests_name("checksum", tests, NULL, NULL);
}
