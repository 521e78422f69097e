/* Many host threads through the C ABI at once, in plain C with POSIX threads: four threads send
 * events while a fifth reloads the rules and a sixth runs full syncs (deltas applied to the
 * cache under the readers), against the emulator over TLS. Every event must get a complete
 * answer with the rule it fires; nothing may crash, hang or fail. Meaningful under the
 * sanitizers (the asan-ubsan and tsan presets build it too). The sixth thread's syncs are
 * incremental: each brings back the Lead that its own call event made the dispatcher create.
 *
 * usage: plugin_concurrency_test LIB URL_FILE CA_FILE SOURCE_DIR WORK_DIR
 * (environment as plugin_session_test). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/plugin/plugin_c_support.h"

enum { kSenders = 4, kEventsPerSender = 150, kReloads = 15 };

static const cf_sf_api* api;
static cf_sf_instance* inst;
static atomic_int g_senders_done;
static atomic_int g_events_ok;
static atomic_int g_reloads;
static atomic_int g_syncs;

static void* sender(void* arg) {
  int n = (int)(intptr_t)arg;
  char event[512];
  for (int i = 0; i < kEventsPerSender; ++i) {
    snprintf(event, sizeof event,
             "{\"type\": \"conversation.created\", \"id\": \"s%d-%d\", \"conversation\": {\"channel\": \"email\","
             " \"customer\": {\"email\": \"olivia.hart@kestrel.example\"}}}",
             n, i);
    char* out = NULL;
    char* error = NULL;
    cf_sf_status s = api->send_event(inst, event, strlen(event), 0, &out, &error);
    char id[64];
    snprintf(id, sizeof id, "\"event_id\":\"s%d-%d\"", n, i);
    if (s == CF_SF_OK && contains(out, id) && contains(out, "\"rule\":\"Account insights\"")) {
      atomic_fetch_add(&g_events_ok, 1);
    } else {
      EXPECT(0, "event %s: %d %s %s", id, (int)s, or_empty(error), or_empty(out));
    }
    api->free_string(out);
    api->free_string(error);
  }
  atomic_fetch_add(&g_senders_done, 1);
  return NULL;
}

static void* reloader(void* arg) {
  (void)arg;
  for (int i = 0; i < kReloads; ++i) {
    char* error = NULL;
    cf_sf_status s = api->load_rules(inst, NULL, 0, NULL, &error);
    EXPECT(s == CF_SF_OK, "reload %d: %d %s", i, (int)s, or_empty(error));
    api->free_string(error);
    atomic_fetch_add(&g_reloads, 1);
  }
  return NULL;
}

static void* syncer(void* arg) {
  (void)arg;
  /* Until the senders are done (at least once, at most 50 times, each bounded): a call from a
   * new number makes the dispatcher create a Lead in the org, then an incremental sync brings
   * it back as a delta applied under the readers. */
  do {
    int round = atomic_load(&g_syncs);
    char event[256];
    snprintf(event, sizeof event,
             "{\"type\": \"call.ended\", \"call\": {\"direction\": \"inbound\", \"customer\": {\"phone\":"
             " \"+1 415 555 %04d\"}}}", 1000 + round);
    char* error = NULL;
    char* out = NULL;
    cf_sf_status s = api->send_event(inst, event, strlen(event), 0, NULL, &error);
    EXPECT(s == CF_SF_OK, "call event: %d %s", (int)s, or_empty(error));
    api->free_string(error);
    error = NULL;
    s = api->sync_start(inst, NULL, 0, &error);
    EXPECT(s == CF_SF_OK, "sync_start: %d %s", (int)s, or_empty(error));
    api->free_string(error);
    error = NULL;
    s = api->sync_wait(inst, 120000, &out, &error);
    EXPECT(s == CF_SF_OK, "sync_wait: %d %s %s", (int)s, or_empty(error), or_empty(out));
    api->free_string(out);
    api->free_string(error);
    atomic_fetch_add(&g_syncs, 1);
  } while (atomic_load(&g_senders_done) < kSenders && atomic_load(&g_syncs) < 50);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s LIB URL_FILE CA_FILE SOURCE_DIR WORK_DIR\n", argv[0]);
    return 2;
  }
  char* url = read_file(argv[2]);
  REQUIRE(url != NULL, "cannot read %s", argv[2]);
  char rm[4096];
  snprintf(rm, sizeof rm, "rm -rf '%s' && mkdir -p '%s'", argv[5], argv[5]);
  REQUIRE(system(rm) == 0, "cannot prepare %s", argv[5]);
  void* lib = NULL;
  api = load_plugin(argv[1], &lib);

  char config[4096];
  snprintf(config, sizeof config,
           "{\"name\": \"concurrency\", \"instance_url\": \"%s\", \"ca_file\": \"%s\", \"state_dir\": \"%s/state\","
           " \"rule_folder\": \"%s/examples/rules\", \"log_level\": \"error\", \"api_budget\": {\"share\": 1.0},"
           " \"credentials\": {\"method\": \"password\", \"client_id\": \"%s\","
           "   \"client_secret\": {\"env\": \"CF_TEST_SF_CLIENT_SECRET\"}, \"username\": \"%s\","
           "   \"password\": {\"env\": \"CF_TEST_SF_PASSWORD\"}},"
           " \"testing\": {\"allow_loopback\": true}}",
           url, argv[3], argv[5], argv[4], or_empty(getenv("CF_TEST_SF_CLIENT_ID")),
           or_empty(getenv("CF_TEST_SF_USERNAME")));
  char* error = NULL;
  cf_sf_status s = api->create(config, strlen(config), &inst, &error);
  REQUIRE(s == CF_SF_OK, "create: %d %s", (int)s, or_empty(error));
  REQUIRE(api->connect(inst, NULL, 0, NULL, &error) == CF_SF_OK, "connect: %s", or_empty(error));
  REQUIRE(api->discover(inst, "{\"validation_rules\": false}", 27, NULL, &error) == CF_SF_OK, "discover: %s",
          or_empty(error));
  REQUIRE(api->load_rules(inst, NULL, 0, NULL, &error) == CF_SF_OK, "load_rules: %s", or_empty(error));
  REQUIRE(api->sync_start(inst, NULL, 0, &error) == CF_SF_OK, "sync_start: %s", or_empty(error));
  REQUIRE(api->sync_wait(inst, 120000, NULL, &error) == CF_SF_OK, "sync: %s", or_empty(error));

  pthread_t threads[kSenders + 2];
  for (int i = 0; i < kSenders; ++i) {
    REQUIRE(pthread_create(&threads[i], NULL, sender, (void*)(intptr_t)i) == 0, "pthread_create");
  }
  REQUIRE(pthread_create(&threads[kSenders], NULL, reloader, NULL) == 0, "pthread_create");
  REQUIRE(pthread_create(&threads[kSenders + 1], NULL, syncer, NULL) == 0, "pthread_create");
  for (int i = 0; i < kSenders + 2; ++i) pthread_join(threads[i], NULL);

  EXPECT(atomic_load(&g_events_ok) == kSenders * kEventsPerSender, "events ok: %d of %d", atomic_load(&g_events_ok),
         kSenders * kEventsPerSender);
  EXPECT(atomic_load(&g_reloads) == kReloads, "reloads: %d", atomic_load(&g_reloads));
  EXPECT(atomic_load(&g_syncs) >= 1, "no sync ran");
  printf("%d events, %d reloads, %d syncs with deltas at once\n", atomic_load(&g_events_ok), atomic_load(&g_reloads),
         atomic_load(&g_syncs));

  /* The cache is whole after the last sync; the instance shuts down cleanly. */
  char* out = NULL;
  s = api->status(inst, &out, &error);
  EXPECT(s == CF_SF_OK && contains(out, "\"Contact\":15") && contains(out, "\"dead\":0"), "status: %s", or_empty(out));
  api->free_string(out);
  EXPECT(api->destroy(inst, NULL) == CF_SF_OK, "destroy");
  free(url);
  dlclose(lib);
  if (g_failures > 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("plugin concurrency: all checks passed\n");
  return 0;
}
