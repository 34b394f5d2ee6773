package dirlist

// foldsNames says whether a directory's names are matched only as
// spelled. Linux file systems match names byte for byte (but for a
// casefolded ext4 directory, which rex does not tell apart).
const foldsNames = false
