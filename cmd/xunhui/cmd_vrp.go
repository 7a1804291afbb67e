package main

import (
	"context"
	"errors"
)

// vroomInProcess solves a VROOM-JSON file in this process (bench-vrptw
// --in-process --vroom-json). The vrp command lands with the vroom package.
func vroomInProcess(ctx context.Context, file string, o vrptwOptions) (vroomSummaryOutput, error) {
	return vroomSummaryOutput{}, errors.New("vrp command not built yet")
}
