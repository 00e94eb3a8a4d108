/* Hard negative for the RandomX profile: legitimate numeric code that walks
 * through all four rounding modes (interval arithmetic does this), bounded
 * in time. Build: cc -O2 -static -o fesetround-loop fesetround_loop.c -lm */
#include <fenv.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 60;
	static const int modes[4] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };
	volatile double acc = 1.0;
	time_t end = time(NULL) + seconds;
	unsigned long n = 0;
	while (time(NULL) < end) {
		for (int m = 0; m < 4; m++) {
			fesetround(modes[m]);
			for (int i = 1; i < 20000; i++)
				acc = acc * 1.0000001 + 1.0 / i;
		}
		n++;
	}
	fesetround(FE_TONEAREST);
	printf("%lu rounds, %g\n", n, acc);
	return 0;
}
