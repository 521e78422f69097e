/* The header as C11: load the plugin, negotiate, print its name. usage: consumer_c LIB */
#include <connectflo/salesforce_plugin.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  cf_sf_entry_fn entry = NULL;
  *(void**)(&entry) = dlsym(lib, CF_SF_ENTRY_SYMBOL);
  if (entry == NULL) return 1;
  cf_sf_host_info host = {sizeof host, 1, CF_SF_ABI_VERSION, "consumer-c"};
  const cf_sf_api* api = NULL;
  char error[256];
  if (entry(&host, &api, error, sizeof error) != CF_SF_OK) {
    fprintf(stderr, "entry: %s\n", error);
    return 1;
  }
  printf("%s %s (ABI %u)\n", api->plugin_name, api->plugin_version, api->abi_version);
  int ok = api->abi_version == 1 && CF_SF_API_HAS(api, poll_outcomes) &&
           strcmp(api->plugin_name, "connectflo-salesforce") == 0;
  dlclose(lib);
  return ok ? 0 : 1;
}
