#!/usr/bin/python3
"""Opens a remc result file with xarray (engine="h5netcdf") and checks that
groups show labelled dimensions and the coordinates' values.

usage: test_xarray.py RESULT.h5 MATERIALS FIRST_MONTH MONTHS
  MATERIALS   comma-separated material names, e.g. nd,dy
  FIRST_MONTH the first time label, YYYY-MM
  MONTHS      number of months
Exits non-zero (an AssertionError) on the first mismatch.
"""
import sys

import numpy as np
import xarray as xr


def main(path, materials, first_month, months):
    root = xr.open_dataset(path, engine="h5netcdf")
    assert list(root["material"].values) == materials, root["material"].values
    assert root.sizes["time"] == months and root["time"].values[0] == first_month, root["time"].values
    levels = list(root["quantile"].values)
    assert all(q in levels for q in (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)), levels
    assert root.attrs["filetype"] == "remc-result"

    series = xr.open_dataset(path, engine="h5netcdf", group="series/shortage_frac")
    assert series["mean"].dims == ("material", "time"), series["mean"].dims
    assert series["quantiles"].dims == ("material", "time", "quantile")
    assert series["hist"].dims == ("material", "time", "bin")
    assert series["bin_edges"].dims == ("material", "edge")
    assert series["exceedance"].dims == ("material", "time", "threshold")
    assert series["expected_shortfall"].dims == ("material", "time", "tail")
    # Thresholds read as written in the config, so .sel finds them exactly.
    assert list(series["threshold"].values) == [0.05, 0.1, 0.2, 0.5], series["threshold"].values
    assert series["exceedance"].sel(threshold=0.2).dims == ("material", "time")
    for name, variable in series.variables.items():
        assert "units" in variable.attrs and "description" in variable.attrs, name

    # The group alone labels every dimension, with the root's values.
    for name in ("material", "time", "quantile", "tail", "threshold", "bin", "edge"):
        assert name in series.coords, (name, list(series.coords))
    for name in ("material", "time", "quantile", "tail"):
        assert list(series[name].values) == list(root[name].values), name
    last = series["mean"].sel(material=materials[-1], time=root["time"].values[-1])
    assert float(last) == float(series["mean"].values[-1, -1])
    assert series["exceedance"].sel(threshold=series["threshold"].values[1]).dims == ("material", "time")

    price = xr.open_dataset(path, engine="h5netcdf", group="series/price")
    assert price["log_scale"].dims == ("material",) and int(price["log_scale"][0]) == 1

    summary = xr.open_dataset(path, engine="h5netcdf", group="summary/max_shortage_frac")
    assert summary["mean"].dims == ("material",)
    assert summary["exceedance"].dims == ("material", "threshold")
    assert 0.1 in list(summary["threshold"].values), summary["threshold"].values
    restricted = xr.open_dataset(path, engine="h5netcdf", group="summary/months_restricted")
    assert restricted["mean"].dims == () and restricted["quantiles"].dims == ("quantile",)
    in_regime = xr.open_dataset(path, engine="h5netcdf", group="regime/months_in_regime")
    assert in_regime["mean"].dims == ("regime",) and "regime" in in_regime.coords
    tension = xr.open_dataset(path, engine="h5netcdf", group="series/tension")
    assert tension["mean"].dims == ("time",) and tension["time"].values[0] == first_month

    regime = xr.open_dataset(path, engine="h5netcdf", group="regime")
    assert regime["occupancy"].dims == ("time", "regime")
    for name in ("time", "regime", "regime_from", "regime_to"):
        assert name in regime.coords, (name, list(regime.coords))
    assert regime["transitions"].dims == ("time", "regime_from", "regime_to")
    np.testing.assert_allclose(regime["occupancy"].sum("regime").values, 1.0)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2].split(","), sys.argv[3], int(sys.argv[4]))
