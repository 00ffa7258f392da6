/** The planted hot spot: hotMethod does about 95% of the work. */
public class Hot {
  static double hotMethod(int n) {
    double s = 0;
    for (int i = 1; i < n; i++) s += Math.sqrt(i) / (i + s * 1e-12);
    return s;
  }

  static double coldMethod(int n) {
    double s = 0;
    for (int i = 1; i < n; i++) s += 1.0 / i;
    return s;
  }

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    double t = 0;
    for (int k = 0; k < reps; k++) {
      t += hotMethod(20_000_000);
      t += coldMethod(1_000_000);
    }
    System.out.println(t);
  }
}
