// One flip-flop of each kind Yosys maps a rising-edge register to: plain, enable, synchronous reset, reset only
// when enabled, reset over enable; q5 has an initial value.
module flops(clk, rst, en, d, q1, q2, q3, q4, q5, q6);
  input clk, rst, en;
  input [1:0] d;
  output reg q1, q2, q3, q4, q5 = 1'b1, q6;
  always @(posedge clk) q1 <= d[0] & d[1];
  always @(posedge clk) if (en) q2 <= d[0] | d[1];
  always @(posedge clk) if (rst) q3 <= 1'b0; else q3 <= d[0] ^ d[1];
  always @(posedge clk) if (en) begin if (rst) q4 <= 1'b1; else q4 <= d[0]; end
  always @(posedge clk) q5 <= ~d[1];
  always @(posedge clk) if (rst) q6 <= 1'b0; else if (en) q6 <= d[0] & ~d[1];
endmodule
