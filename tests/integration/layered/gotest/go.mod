module hhlayered/sum

go 1.19
