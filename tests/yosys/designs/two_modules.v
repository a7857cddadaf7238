// Two modules with gate logic the pass rewrites, for selections: `top` instantiates `maj`.
module maj(input a, b, c, output y);
  assign y = (a & b) | (a & c) | (b & c);
endmodule

module top(input a, b, c, output y, z);
  maj u(.a(a), .b(b), .c(c), .y(y));
  assign z = (a ^ b) | (a & b);
endmodule
