SELECT `a;b`, [c;d] FROM t; SELECT $1, 0x1F, 1e-5 ; -- tail
