module hhlayered/gohelper

go 1.19
