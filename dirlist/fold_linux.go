package dirlist

// FoldsNames says whether a lookup may find an entry spelled otherwise
// than the name looked up, so that a listing's names say only which are
// surely absent. Linux file systems match names byte for byte (but for a
// casefolded ext4 directory, which rex does not tell apart).
const FoldsNames = false
