"""The on-device model: fetching, loading and prompting a local GGUF model."""
