// The header as C++: load the plugin, negotiate, create and destroy an instance with a bad
// configuration and a good one. usage: consumer_cxx LIB
#include <connectflo/salesforce_plugin.h>

#include <dlfcn.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    std::fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  auto entry = reinterpret_cast<cf_sf_entry_fn>(dlsym(lib, CF_SF_ENTRY_SYMBOL));
  if (entry == nullptr) return 1;
  cf_sf_host_info host{sizeof(cf_sf_host_info), 1, CF_SF_ABI_VERSION, "consumer-c++"};
  const cf_sf_api* api = nullptr;
  char error[256];
  if (entry(&host, &api, error, sizeof error) != CF_SF_OK) {
    std::fprintf(stderr, "entry: %s\n", error);
    return 1;
  }
  std::string config = R"({"name": "consumer"})";
  cf_sf_instance* instance = nullptr;
  char* message = nullptr;
  cf_sf_status s = api->create(config.data(), config.size(), &instance, &message);
  bool ok = s == CF_SF_BAD_CONFIG && message != nullptr &&
            std::string(message).find("config.state_dir") != std::string::npos;
  std::printf("%s: %s\n", api->plugin_name, message != nullptr ? message : "(no message)");
  api->free_string(message);
  dlclose(lib);
  return ok ? 0 : 1;
}
