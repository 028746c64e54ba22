
.

Hello!Þ­¾ïalice@example.comExample (0 (c