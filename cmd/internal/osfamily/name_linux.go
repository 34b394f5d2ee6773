package osfamily

// name is empty: Linux actions name no system (see the package comment).
const name = ""
