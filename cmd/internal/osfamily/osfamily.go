// Package osfamily names the system rex runs on as REAPI's OSFamily
// platform property (the platform lexicon: "macos", "freebsd", else the
// system's name in lower case), on every system but Linux.
//
// Without it, an action from macOS or FreeBSD would run on whatever worker
// takes it, most likely a Linux one with another compiler at the same path,
// and its result would be kept under the key of the client's compiler: a
// wrong object for every later hit. Named, the action runs only on a
// worker that offers the same system; a server with none refuses it, and
// rex compiles locally. Linux sends none, as it always has: its keys stay
// as they were, and workers that offer no properties still take its
// actions.
package osfamily

// Key is the property's name.
const Key = "OSFamily"

// With returns props with this system's OSFamily added, unless props name
// one already (the user's value wins) or this system is Linux. props is
// changed in place when it is not nil.
func With(props map[string]string) map[string]string {
	if name == "" {
		return props
	}
	if _, set := props[Key]; set {
		return props
	}
	if props == nil {
		props = map[string]string{}
	}
	props[Key] = name
	return props
}
