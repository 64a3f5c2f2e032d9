{
  "targets": [
    {
      "target_name": "fnd_kernels",
      "sources": ["src/addon.cc", "src/kernels.cc", "src/kernels_avx2.cc", "src/kernels_base.cc", "src/kernels_avx512.cc", "src/gemm.cc", "src/pool.cc"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-O3", "-std=gnu++17", "-fno-math-errno", "-pthread", "-Wno-psabi"],
      "ldflags": ["-pthread"]
    }
  ]
}
