/* Unit tests of the pointer merge sort (lib/ptrsort.h): it orders as
 * qsort with the same comparison does, at every length around the run
 * boundaries, on random, sorted, reversed and duplicated input, and it
 * is stable (equal elements keep their order). */
#include "unit.h"

#include <stdio.h>

#include "lib/ptrsort.h"

static int by_str(char *a, char *b)
{
	return strcmp(a, b);
}
RT_DEFINE_PTR_SORT(sort_strs, char *)

static int qsort_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Elements that compare by key only, to see that equal keys keep their order. */
struct item {
	int key, seq;
};
static int by_key(struct item *a, struct item *b)
{
	return (a->key > b->key) - (a->key < b->key);
}
RT_DEFINE_PTR_SORT(sort_items, struct item *)

enum shape { RANDOM, SORTED, REVERSED, FEW_VALUES };

/* n names in the given shape, sorted both ways: the same order. */
static void check_like_qsort(size_t n, enum shape shape)
{
	char **mine = xcalloc(n + 1, sizeof(*mine)), **ref = xcalloc(n + 1, sizeof(*ref));
	for (size_t i = 0; i < n; i++) {
		char name[32];
		unsigned v = shape == RANDOM	     ? (unsigned)rand()
			     : shape == SORTED	     ? (unsigned)i
			     : shape == REVERSED    ? (unsigned)(n - i)
						     : (unsigned)rand() % 4;
		snprintf(name, sizeof(name), "b%011u_m.sql", v);
		mine[i] = xstrdup(name);
		ref[i] = mine[i];
	}
	sort_strs(mine, n, by_str);
	if (n)
		qsort(ref, n, sizeof(*ref), qsort_str);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(mine[i], ref[i]);
	for (size_t i = 0; i < n; i++)
		free(mine[i]);
	free(mine);
	free(ref);
}

static void orders_as_qsort(void **state)
{
	(void)state;
	srand(22);
	for (size_t n = 0; n <= 70; n++)
		for (int shape = RANDOM; shape <= FEW_VALUES; shape++)
			check_like_qsort(n, (enum shape)shape);
	for (int shape = RANDOM; shape <= FEW_VALUES; shape++)
		check_like_qsort(10000, (enum shape)shape);
}

static void stable(void **state)
{
	(void)state;
	enum { N = 1000 };
	struct item items[N];
	struct item *v[N];
	srand(7);
	for (int i = 0; i < N; i++) {
		items[i] = (struct item){ .key = rand() % 10, .seq = i };
		v[i] = &items[i];
	}
	sort_items(v, N, by_key);
	for (int i = 1; i < N; i++) {
		assert_true(v[i - 1]->key <= v[i]->key);
		if (v[i - 1]->key == v[i]->key)
			assert_true(v[i - 1]->seq < v[i]->seq);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(orders_as_qsort),
		cmocka_unit_test(stable),
	};
	return cmocka_run_group_tests_name("ptrsort", tests, NULL, NULL);
}
