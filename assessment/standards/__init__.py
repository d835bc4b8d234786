"""QC-1 service standards (服务标准与规范): the library, its versions, review and approval."""
