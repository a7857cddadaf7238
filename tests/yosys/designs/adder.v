// A small combinational design for the stock-Yosys path: a 4-bit adder with redundant majority logic.
module adder(input [3:0] a, b, c, output [4:0] s, output [3:0] m);
  assign s = a + b;
  assign m = (a & b) | (a & c) | (b & c) | (a & b & c);
endmodule
