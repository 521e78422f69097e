// Placeholder until the module lands (session 2 work in progress).
