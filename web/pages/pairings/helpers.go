package pairings

import (
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/web/components"
)

func standardLabel(v string) string { return household.Standards.Label(v) }

func standardOptions() []components.Option { return components.Options(household.Standards) }
