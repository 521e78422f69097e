/* Helpers for the plain-C tests of the plugin ABI: load the library with dlopen as the host
 * does, negotiate, and check results. C11; no C++ anywhere in these tests. */
#ifndef CF_TESTS_PLUGIN_PLUGIN_C_SUPPORT_H_
#define CF_TESTS_PLUGIN_PLUGIN_C_SUPPORT_H_

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <connectflo/salesforce_plugin.h>

static atomic_int g_failures;  /* EXPECT may run on several threads */

/* Records a failure (the test goes on, so one run shows every problem). */
#define EXPECT(cond, ...)                                              \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "%s:%d: EXPECT(%s) failed: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                    \
      fprintf(stderr, "\n");                                           \
      ++g_failures;                                                    \
    }                                                                  \
  } while (0)

/* Stops the test: what follows cannot run. */
#define REQUIRE(cond, ...)                                             \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "%s:%d: REQUIRE(%s) failed: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                    \
      fprintf(stderr, "\n");                                           \
      exit(1);                                                         \
    }                                                                  \
  } while (0)

static inline int contains(const char* text, const char* needle) {
  return text != NULL && strstr(text, needle) != NULL;
}

static inline const char* or_empty(const char* s) { return s != NULL ? s : "(null)"; }

/* dlopen()s the plugin and negotiates version 1. Exits on failure. */
static inline const cf_sf_api* load_plugin(const char* path, void** handle_out) {
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  REQUIRE(lib != NULL, "dlopen(%s): %s", path, dlerror());
  cf_sf_entry_fn entry = NULL;
  /* dlsym returns void*; converting it to a function pointer is what POSIX requires to work. */
  *(void**)(&entry) = dlsym(lib, CF_SF_ENTRY_SYMBOL);
  REQUIRE(entry != NULL, "dlsym(%s): %s", CF_SF_ENTRY_SYMBOL, dlerror());
  cf_sf_host_info host = {sizeof(cf_sf_host_info), 1, CF_SF_ABI_VERSION, "c-test"};
  const cf_sf_api* api = NULL;
  char error[256];
  cf_sf_status s = entry(&host, &api, error, sizeof error);
  REQUIRE(s == CF_SF_OK && api != NULL, "entry: %d %s", (int)s, error);
  *handle_out = lib;
  return api;
}

/* Reads a whole file into a malloc'ed string (NULL on failure). */
static inline char* read_file(const char* path) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* text = (char*)malloc((size_t)n + 1);
  if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(text);
    return NULL;
  }
  fclose(f);
  text[n] = '\0';
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
  return text;
}

#endif /* CF_TESTS_PLUGIN_PLUGIN_C_SUPPORT_H_ */
