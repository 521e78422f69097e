/* cf-host: a reference host in plain C. It loads the plugin with dlopen exactly as the
 * ConnectFlo workflow host does, negotiates the ABI, registers the callbacks, resumes the
 * connection sealed by `cf-salesforce connect`, loads the rules, then sends every host event it
 * reads on stdin (one JSON object per line) and prints, one JSON document per line:
 *
 *   result {...}        what send_event returned (fired rules, queued actions with their ids)
 *   refused {...}       an event the plugin refused: {"line": n, "error": "..."}
 *   host_action {...}   a host action delivered by the on_host_action callback
 *   outcome {...}       a Salesforce action's outcome, from on_action_outcome
 *
 * At the end of the input it waits (at most --drain seconds, default 10) until every queued
 * action has its outcome, then destroys the instance (nothing is lost if it has not: the
 * outbox keeps it for the next start). Exit status: 0, or 1 if an event was
 * refused, 2 for bad usage, 3 when the plugin cannot be loaded or the instance not created.
 *
 *   cf-host --config demo.json < examples/events/day.jsonl
 *
 * It is also a template: a host in another language does the same calls (docs/abi.md). */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "include/connectflo/salesforce_plugin.h"

static const cf_sf_api* api;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_long outcomes; /* outcomes received: every action, host or Salesforce, gets one */

static void print_line(const char* tag, const char* json) {
  pthread_mutex_lock(&out_mu);
  printf("%s %s\n", tag, json);
  fflush(stdout);
  pthread_mutex_unlock(&out_mu);
}

/* Callbacks run on plugin threads; they copy nothing because they print at once. */
static void on_host_action(void* user_data, const char* json, size_t size) {
  (void)user_data;
  (void)size;
  print_line("host_action", json);
}

static void on_action_outcome(void* user_data, const char* json, size_t size) {
  (void)user_data;
  (void)size;
  print_line("outcome", json);
  atomic_fetch_add(&outcomes, 1);
}

static void on_log(void* user_data, cf_sf_log_level level, const char* message, size_t size) {
  (void)user_data;
  (void)size;
  pthread_mutex_lock(&out_mu);
  fprintf(stderr, "plugin[%d]: %s\n", (int)level, message);
  pthread_mutex_unlock(&out_mu);
}

/* Reads a whole file; NULL on failure. The caller frees. */
static char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 4096, n = 0;
  char* buf = malloc(cap);
  size_t got;
  while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char* bigger = realloc(buf, cap *= 2);
      if (bigger == NULL) free(buf);
      buf = bigger;
    }
  }
  fclose(f);
  if (buf != NULL) *size = n;
  return buf;
}

/* Reports a failed call; returns 1 if the call failed. Frees the error string. */
static int failed(const char* what, cf_sf_status s, char* error) {
  if (s == CF_SF_OK) {
    api->free_string(error);
    return 0;
  }
  fprintf(stderr, "cf-host: %s: %s\n", what, error != NULL ? error : "failed");
  api->free_string(error);
  return 1;
}

/* The number of actions a send_event result queued: each has one "dispatch" member ("action_id"
 * also appears in a field that refers to an earlier action). A real host parses the JSON. */
static long count_actions(const char* json) {
  long n = 0;
  for (const char* p = json; (p = strstr(p, "\"dispatch\":\"queued\"")) != NULL; ++p) ++n;
  return n;
}

int main(int argc, char** argv) {
  const char* plugin_path = getenv("CF_SALESFORCE_PLUGIN");
#ifdef CF_DEFAULT_PLUGIN
  if (plugin_path == NULL) plugin_path = CF_DEFAULT_PLUGIN;
#endif
  const char* config_path = NULL;
  int explain = 0;
  double drain_seconds = 10;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc) {
      plugin_path = argv[++i];
    } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else if (strcmp(argv[i], "--drain") == 0 && i + 1 < argc) {
      drain_seconds = atof(argv[++i]);
    } else if (strcmp(argv[i], "--explain") == 0) {
      explain = 1;
    } else {
      fprintf(stderr,
              "usage: cf-host [--plugin LIB] --config FILE [--explain] [--drain SECONDS] < events.jsonl\n");
      return 2;
    }
  }
  if (config_path == NULL || plugin_path == NULL) {
    fprintf(stderr, "cf-host: --config FILE is required (and --plugin LIB without a default)\n");
    return 2;
  }
  size_t config_size = 0;
  char* config = read_file(config_path, &config_size);
  if (config == NULL) {
    fprintf(stderr, "cf-host: cannot read %s\n", config_path);
    return 2;
  }

  /* Load and negotiate, as the host does. */
  void* lib = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "cf-host: %s\n", dlerror());
    return 3;
  }
  cf_sf_entry_fn entry;
  *(void**)(&entry) = dlsym(lib, CF_SF_ENTRY_SYMBOL);
  if (entry == NULL) {
    fprintf(stderr, "cf-host: %s has no %s\n", plugin_path, CF_SF_ENTRY_SYMBOL);
    return 3;
  }
  cf_sf_host_info host = {sizeof host, CF_SF_ABI_VERSION, CF_SF_ABI_VERSION, "cf-host"};
  char entry_error[512] = "";
  if (entry(&host, &api, entry_error, sizeof entry_error) != CF_SF_OK) {
    fprintf(stderr, "cf-host: %s\n", entry_error);
    return 3;
  }
  fprintf(stderr, "cf-host: loaded %s %s (ABI %u)\n", api->plugin_name, api->plugin_version,
          api->abi_version);

  cf_sf_instance* instance = NULL;
  char* error = NULL;
  if (failed("create", api->create(config, config_size, &instance, &error), error)) return 3;
  free(config);
  cf_sf_callbacks callbacks = {sizeof callbacks, NULL, on_host_action, on_action_outcome, on_log};
  error = NULL;
  if (failed("set_callbacks", api->set_callbacks(instance, &callbacks, &error), error)) return 3;
  const char resume[] = "{\"resume\": true}";
  char* out = NULL;
  error = NULL;
  cf_sf_status s = api->connect(instance, resume, sizeof resume - 1, &out, &error);
  api->free_string(out);
  if (s != CF_SF_OK) {
    /* Evaluation reads only the cache: go on, Salesforce actions wait in the outbox. */
    fprintf(stderr, "cf-host: not connected (%s); actions stay queued\n", error ? error : "");
  }
  api->free_string(error);
  out = NULL;
  error = NULL;
  s = api->load_rules(instance, NULL, 0, &out, &error);
  if (s != CF_SF_OK) {
    fprintf(stderr, "cf-host: rules: %s\n%s\n", error ? error : "", out ? out : "");
    api->free_string(out);
    api->free_string(error);
    return 3;
  }
  api->free_string(out);
  api->free_string(error);

  /* Events from stdin, one per line. */
  long queued = 0;
  int refused = 0;
  char* line = NULL;
  size_t line_cap = 0;
  ssize_t len;
  for (long n = 1; (len = getline(&line, &line_cap, stdin)) > 0; ++n) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len == 0) continue;
    out = NULL;
    error = NULL;
    s = api->send_event(instance, line, (size_t)len, explain ? CF_SF_EVENT_EXPLAIN : 0u, &out,
                        &error);
    if (s == CF_SF_OK) {
      queued += count_actions(out);
      print_line("result", out);
    } else {
      ++refused;
      pthread_mutex_lock(&out_mu);
      printf("refused {\"line\": %ld, \"status\": %d, \"error\": \"", n, (int)s);
      for (const char* p = error ? error : ""; *p; ++p) {
        if (*p == '"' || *p == '\\') putchar('\\');
        putchar(*p);
      }
      printf("\"}\n");
      pthread_mutex_unlock(&out_mu);
    }
    api->free_string(out);
    api->free_string(error);
  }
  free(line);

  /* Wait (bounded) for the deliveries, then shut down. */
  struct timespec tick = {0, 50 * 1000 * 1000};
  for (double waited = 0; waited < drain_seconds && atomic_load(&outcomes) < queued; waited += 0.05) {
    nanosleep(&tick, NULL);
  }
  fprintf(stderr, "cf-host: %ld actions queued, %ld outcomes, %d events refused\n", queued,
          atomic_load(&outcomes), refused);
  error = NULL;
  failed("destroy", api->destroy(instance, &error), error);
  return refused > 0 ? 1 : 0;
}
