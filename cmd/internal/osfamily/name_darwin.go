package osfamily

// name is the platform lexicon's name for macOS.
const name = "macos"
