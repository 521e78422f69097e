/* The ConnectFlo Salesforce rules plugin: its C ABI. docs/abi.md is the reference (every
 * function, every JSON shape); this header states the contract.
 *
 * Conventions
 *  1. One exported symbol: cf_salesforce_plugin_entry. The host dlopen()s the library,
 *     dlsym()s it, says which ABI versions it speaks and gets back a table of function
 *     pointers (cf_sf_api) for the version chosen. Nothing else is exported.
 *  2. Versions. The host sends the range [min_abi_version, max_abi_version] it speaks; the
 *     plugin picks the highest version in that range that it implements, or fails with
 *     CF_SF_VERSION_MISMATCH and a message naming both ranges. Tables only grow at the end:
 *     a later minor revision of a version appends functions and raises struct_size, so a
 *     host reads a function only when struct_size covers it (CF_SF_API_HAS).
 *  3. Handles are opaque (cf_sf_instance). A handle that was never returned by create, or was
 *     destroyed, is refused with CF_SF_UNKNOWN_INSTANCE; it is never dereferenced.
 *  4. Strings. Inputs are pointer + length (UTF-8, need not be NUL-terminated; a NULL
 *     pointer with length 0 means "absent" where a function says so). Outputs are
 *     NUL-terminated UTF-8 strings allocated by the plugin and freed ONLY by the table's
 *     free_string (never by the host's free()). Output parameters may be NULL when the host
 *     does not want that output; they are set to NULL when there is nothing to return.
 *  5. Errors. Every function but free_string returns a cf_sf_status. On anything but CF_SF_OK
 *     *out_error (when out_error is non-NULL) receives one sentence that says what went wrong
 *     and what to do, naming the JSON field at fault ("config.credentials.username: missing").
 *     Some failures also return data (rule diagnostics, a sync report) in *out_json.
 *     Nothing throws, aborts or exits across the boundary, whatever the input.
 *  6. Secrets (passwords, tokens, client secrets) are never written into an output, an error
 *     or a log line.
 *  7. Threads. Every function may be called from any thread, and concurrently on the same
 *     instance, except cf_sf_api.destroy: the host calls it once, when no other call on that
 *     instance is in flight and none will follow (a call racing destroy either completes
 *     normally or returns CF_SF_UNKNOWN_INSTANCE; it never touches freed memory). Distinct
 *     instances share no mutable state (one state directory each) and never interfere.
 *     Functions that talk to Salesforce (connect, test_connection, discover, sync_wait) block
 *     the calling thread; send_event and enrich_contact read only the local cache.
 *  8. Callbacks (cf_sf_callbacks) run on plugin threads or on the calling thread, never while
 *     the plugin holds a lock; a callback may call any function of the table except destroy
 *     on its own instance. The JSON it receives is valid only during the call (copy it).
 *     Callbacks must not throw or longjmp through the plugin.
 *
 * Actions. send_event returns the fired rules and every action they produced, each accepted
 * into the instance's durable outbox (its state directory) before send_event returns: its id
 * is the outbox's key ("cf-<store nonce>-<n>") and its "dispatch" is "queued". A plugin thread
 * (the dispatcher) then carries them out: Salesforce actions (create, update, upsert, log
 * task) in batches through the connection (exactly once: creates go as upserts by the key
 * where the object has a ConnectFlo_Action_Id__c field), written through to the cache when
 * done; host actions (route to team, add tag, set priority, notify) to on_host_action or the
 * polling queue. Each finished action's outcome goes to on_action_outcome (or the queue).
 * While there is no connection, Salesforce actions wait in the outbox (and hold the
 * dispatcher, host actions included) until connect. Actions not finished when the process
 * stops are carried out after the next create on the same state directory.
 *
 * The header compiles as C11 and as C++ (a consumer project under tests/plugin/consumer proves
 * both).
 */
#ifndef CONNECTFLO_SALESFORCE_PLUGIN_H_
#define CONNECTFLO_SALESFORCE_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI versions this header describes. */
#define CF_SF_ABI_VERSION 1u

/* The name of the one exported symbol, for dlsym. */
#define CF_SF_ENTRY_SYMBOL "cf_salesforce_plugin_entry"

typedef enum cf_sf_status {
  CF_SF_OK = 0,
  CF_SF_INVALID_ARGUMENT = 1,   /* a NULL pointer or a bad flag where one is required */
  CF_SF_VERSION_MISMATCH = 2,   /* no ABI version in common (entry only) */
  CF_SF_UNKNOWN_INSTANCE = 3,   /* the handle is not a live instance */
  CF_SF_BAD_CONFIG = 4,         /* create's configuration: the error names the field */
  CF_SF_BAD_JSON = 5,           /* a JSON argument that does not parse or has the wrong shape */
  CF_SF_NOT_CONNECTED = 6,      /* connect first (or reconnect: the session was revoked) */
  CF_SF_NOT_READY = 7,          /* the schema or the rules are missing: discover / load first */
  CF_SF_SALESFORCE_ERROR = 8,   /* Salesforce or the network refused; the error says which of
                                   the four troubleshooting cases applies */
  CF_SF_RULES_INVALID = 9,      /* rules did not compile; *out_json holds the diagnostics and
                                   the previous rules stay in force */
  CF_SF_BAD_EVENT = 10,         /* the event JSON is malformed: the error names the field */
  CF_SF_BUSY = 11,              /* a sync is already running */
  CF_SF_TIMEOUT = 12,           /* sync_wait's time ran out (the sync goes on) */
  CF_SF_NOT_FOUND = 13,         /* enrich_contact: no cached person matches */
  CF_SF_STORE_ERROR = 14,       /* the state directory or its database failed */
  CF_SF_INTERNAL = 15           /* a bug: the message says where; the instance stays usable */
} cf_sf_status;

/* An instance: one Salesforce connection with its state directory, cache and rules. */
typedef struct cf_sf_instance cf_sf_instance;

/* Log levels (config "log_level": "error", "warn", "info", "debug", "off"). */
typedef enum cf_sf_log_level {
  CF_SF_LOG_ERROR = 0,
  CF_SF_LOG_WARN = 1,
  CF_SF_LOG_INFO = 2,
  CF_SF_LOG_DEBUG = 3
} cf_sf_log_level;

/* Callbacks the host registers per instance (set_callbacks). Every member may be NULL.
 * Thread safety: see convention 8. `json`/`message` point to `size` bytes of UTF-8 followed by
 * a NUL, valid only during the call. */
typedef struct cf_sf_callbacks {
  uint32_t struct_size; /* sizeof(cf_sf_callbacks) as the host compiled it */
  void* user_data;      /* passed back unchanged; the plugin never dereferences it */
  /* A host action to carry out (route to team, add tag, set priority, notify), as JSON:
   * {"action_id", "kind", "arguments": [...]}; action_id is the one send_event returned.
   * Called on the plugin's dispatcher thread, once per action; returning means the host
   * has taken it (at least once: after a crash between the call and its record, again). */
  void (*on_host_action)(void* user_data, const char* json, size_t size);
  /* The outcome of a queued action, once it is recorded: {"action_id", "kind", "status":
   * "succeeded" | "failed", "attempts", "object", "record_id", "error", "merged_into"}
   * (optional members absent when empty). Called on the dispatcher thread. */
  void (*on_action_outcome)(void* user_data, const char* json, size_t size);
  /* A log line at or above the configured level. Without it, lines go to stderr. Called on
   * the thread that logs, possibly concurrently from several threads. */
  void (*on_log)(void* user_data, cf_sf_log_level level, const char* message, size_t size);
} cf_sf_callbacks;

/* send_event flags. */
#define CF_SF_EVENT_EXPLAIN 1u /* add "explanations" and "report": why each rule did or did not fire */

/* The function table. Returned by the entry point; static, valid until the library is
 * unloaded; never freed by the host. Members below are described once; docs/abi.md has the
 * JSON shapes. Every `out_json` and `out_error` is freed with free_string. */
typedef struct cf_sf_api {
  uint32_t struct_size;        /* sizeof(cf_sf_api) as the plugin compiled it */
  uint32_t abi_version;        /* the version negotiated */
  const char* plugin_name;     /* "connectflo-salesforce", static */
  const char* plugin_version;  /* "0.1.0", static */

  /* Frees a string the plugin returned. NULL is ignored. Thread-safe. */
  void (*free_string)(char* s);

  /* Creates an instance from a configuration (JSON object, docs/abi.md "Configuration"):
   * opens (creates) its state directory, and warms up from it (a schema discovered before,
   * cached records, tokens sealed by an earlier connect) without any API call. Two live
   * instances may not share a state directory. On success *out_instance is the handle. */
  cf_sf_status (*create)(const char* config_json, size_t config_size,
                         cf_sf_instance** out_instance, char** out_error);

  /* Shuts an instance down: stops the dispatcher (the delivery in progress finishes and is
   * recorded; queued actions stay in the outbox for the next create), stops a running sync at
   * its next page (what it applied is kept; the cursor says where to resume), closes the state
   * store and frees everything. Nothing accepted is lost. The handle is invalid afterwards.
   * See convention 7. */
  cf_sf_status (*destroy)(cf_sf_instance* instance, char** out_error);

  /* Connects to Salesforce. `options_json` (may be absent) overrides the configuration's
   * "credentials" and "instance_url": {"method": "access_token", "instance_url": ...,
   * "access_token": ...}, or {"method": "password" | "refresh_token" | "authorization_code",
   * ...}, or {"resume": true} to reuse the tokens sealed by an earlier connect. Tokens are
   * sealed into the state directory. *out_json: the status (as status()). Blocks. */
  cf_sf_status (*connect)(cf_sf_instance* instance, const char* options_json,
                          size_t options_size, char** out_json, char** out_error);

  /* Test Connection: one API call. *out_json: {"org_id", "user_id", "username",
   * "api_usage": {"used", "max"}, "summary"}. Blocks. */
  cf_sf_status (*test_connection)(cf_sf_instance* instance, char** out_json, char** out_error);

  /* Connection status and API usage, without any call: {"connection": "connected" |
   * "disconnected" | "not_connected", "reason", "api": {...}, "schema": {...}, "rules":
   * {...}, "sync": {...}}. */
  cf_sf_status (*status)(cf_sf_instance* instance, char** out_json, char** out_error);

  /* Discovers the schema (describeGlobal and describes) and caches it in the state directory;
   * loaded rules are recompiled against it. `options_json` may be absent or {"objects":
   * [...], "custom_objects": bool, "validation_rules": bool}. *out_json: {"objects": n,
   * "api_calls", "warnings": [...]}. Blocks. */
  cf_sf_status (*discover)(cf_sf_instance* instance, const char* options_json,
                           size_t options_size, char** out_json, char** out_error);

  /* The schema as JSON for the host's editor: {"objects": [{"name", "label", "custom",
   * "fields": [{"name", "label", "type", "custom", "picklist_values": [...], ...}]}]}.
   * `objects_json` may be absent (every object) or a JSON array of object names. */
  cf_sf_status (*get_schema)(cf_sf_instance* instance, const char* objects_json,
                             size_t objects_size, char** out_json, char** out_error);

  /* Starts a sync on a plugin thread and returns at once; CF_SF_BUSY if one runs.
   * `options_json` may be absent or {"full": true} (force: drop the synced objects' cached
   * records and cursors, then reload them; until the reload reaches an object, events see
   * none of its records). Which objects and fields: the configuration's "sync.objects", else what the
   * loaded rules read plus the keys binding needs. */
  cf_sf_status (*sync_start)(cf_sf_instance* instance, const char* options_json,
                             size_t options_size, char** out_error);
  /* Asks a running sync to stop at its next page and waits for it. OK when none runs. */
  cf_sf_status (*sync_stop)(cf_sf_instance* instance, char** out_error);
  /* Waits up to timeout_ms for the running sync (if any) to end; *out_json: the progress
   * (as sync_progress). CF_SF_TIMEOUT when it is still running; the sync's own failure as
   * CF_SF_SALESFORCE_ERROR / CF_SF_STORE_ERROR. */
  cf_sf_status (*sync_wait)(cf_sf_instance* instance, uint32_t timeout_ms, char** out_json,
                            char** out_error);
  /* {"state": "idle" | "running" | "succeeded" | "failed" | "cancelled", "object",
   * "records", "total", "api_calls", "error", "objects": [per-object stats of the last run]}. */
  cf_sf_status (*sync_progress)(cf_sf_instance* instance, char** out_json, char** out_error);

  /* Loads or reloads rules, atomically: events in flight finish on the old set.
   * `source_json` may be absent (the configuration's "rule_folder"), or {"folder": path}, or
   * {"sources": [{"name": "leads.rule", "text": "..."}]}. *out_json: {"ok", "rules": n,
   * "files", "diagnostics": [{"file", "line", "column", "severity", "message", "hint",
   * "formatted"}]} also when the rules are invalid (CF_SF_RULES_INVALID). */
  cf_sf_status (*load_rules)(cf_sf_instance* instance, const char* source_json,
                             size_t source_size, char** out_json, char** out_error);

  /* Evaluates one host event (JSON, docs/events.md) against the rules and the cache, and
   * returns synchronously {"event_id", "trigger", "bound": {...}, "fired": [{"rule",
   * "skipped"}], "actions": [{"action_id", "rule", "kind", "object", "fields", ...,
   * "dispatch"}]}; with CF_SF_EVENT_EXPLAIN also "explanations" and "report". No API call. */
  cf_sf_status (*send_event)(cf_sf_instance* instance, const char* event_json,
                             size_t event_size, uint32_t flags, char** out_json,
                             char** out_error);

  /* Contact enrichment, from the cache only (no API call): `query_json` is {"email"} or
   * {"phone"} or {"id"} (a Contact or Lead Id), optionally "fields": {"Contact": [...],
   * "Lead": [...], "Account": [...]} to select fields. *out_json: {"match": "contact" |
   * "lead", "source", "Contact" | "Lead": {...}, "Account": {...} | null}.
   * CF_SF_NOT_FOUND (with *out_json {"match": null}) when nobody matches. */
  cf_sf_status (*enrich_contact)(cf_sf_instance* instance, const char* query_json,
                                 size_t query_size, char** out_json, char** out_error);

  /* Registers (replaces) the instance's callbacks; NULL clears them. The plugin copies the
   * struct; calls already running finish with the callbacks they started with. */
  cf_sf_status (*set_callbacks)(cf_sf_instance* instance, const cf_sf_callbacks* callbacks,
                                char** out_error);

  /* Polling instead of callbacks: up to `max` outcomes and up to `max` host actions, oldest
   * first, removed from the queue: {"outcomes": [...], "host_actions": [...]} (the shapes
   * the callbacks receive). Only what arrived while no such callback was registered is
   * queued (at most 10000 host actions; beyond, they wait in the outbox). Registering a
   * callback hands it what is queued. */
  cf_sf_status (*poll_outcomes)(cf_sf_instance* instance, uint32_t max, char** out_json,
                                char** out_error);

  /* --- Appended in revision 1.1 (check with CF_SF_API_HAS(api, preview), ...). --- */

  /* Preview for the rule editor, from the cache only (no API call): which cached records of one
   * object a condition matches. `query_json` is {"object": "Account", "condition": "...",
   * "limit": 20}; "object" names a record the rules bind (Contact, Lead, Account, Opportunity,
   * Case), the condition is written as in a rule file and every other record and the event are
   * null. *out_json: {"object", "total", "matched", "unknown", "sample_ids": [18-character
   * Ids, the first `limit` matches]}. A condition that does not compile gives
   * CF_SF_RULES_INVALID with {"diagnostics": [...]} (as load_rules) in *out_json. */
  cf_sf_status (*preview)(cf_sf_instance* instance, const char* query_json, size_t query_size,
                          char** out_json, char** out_error);

  /* Dead letters: Salesforce actions that failed for good (a validation rule, a required
   * field, missing access), oldest first, each with Salesforce's error. No API call.
   * `query_json` may be absent or {"after": "cf-...", "max": 100}. *out_json:
   * {"dead_letters": [{"action_id", "kind", "object", "attempts", "error", "failed_at"}]}. */
  cf_sf_status (*dead_letters)(cf_sf_instance* instance, const char* query_json,
                               size_t query_size, char** out_json, char** out_error);
  /* Sends dead letters again once their cause is fixed: {"action_id": "cf-..."} (with the dead
   * actions that depended on it) or {"all": true}. *out_json: {"replayed": n}. Their outcomes
   * come through on_action_outcome or poll_outcomes as for any action. CF_SF_NOT_FOUND for an
   * action id that is not a dead letter of this instance. */
  cf_sf_status (*replay_dead_letters)(cf_sf_instance* instance, const char* query_json,
                                      size_t query_size, char** out_json, char** out_error);
} cf_sf_api;

/* True when the table `api` includes member `member` (appended in a later revision). */
#define CF_SF_API_HAS(api, member) \
  ((api)->struct_size >= offsetof(cf_sf_api, member) + sizeof((api)->member))

/* What the host speaks. */
typedef struct cf_sf_host_info {
  uint32_t struct_size;      /* sizeof(cf_sf_host_info) */
  uint32_t min_abi_version;  /* lowest version the host speaks */
  uint32_t max_abi_version;  /* highest version the host speaks */
  const char* host_name;     /* for logs; may be NULL */
} cf_sf_host_info;

/* The entry point, the one exported symbol. Negotiates the version (convention 2) and sets
 * *out_api to the plugin's table. On failure writes a NUL-terminated message into
 * error_buffer (truncated to error_buffer_size, which may be 0 with a NULL buffer) and leaves
 * *out_api NULL. Thread-safe; may be called any number of times. */
typedef cf_sf_status (*cf_sf_entry_fn)(const cf_sf_host_info* host, const cf_sf_api** out_api,
                                       char* error_buffer, size_t error_buffer_size);

#if defined(_WIN32)
#define CF_SF_EXPORT __declspec(dllexport)
#else
#define CF_SF_EXPORT __attribute__((visibility("default")))
#endif

CF_SF_EXPORT cf_sf_status cf_salesforce_plugin_entry(const cf_sf_host_info* host,
                                                     const cf_sf_api** out_api,
                                                     char* error_buffer,
                                                     size_t error_buffer_size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CONNECTFLO_SALESFORCE_PLUGIN_H_ */
