"""Word and Excel documents in the official layout (Nghị định 30/2020/NĐ-CP)."""
