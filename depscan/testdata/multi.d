t1 t2 : a b
t3: c a
# a comment
t4:: d
