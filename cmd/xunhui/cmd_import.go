package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/ledger"
	"github.com/yingjing/xunhui/data/seed"
	"github.com/yingjing/xunhui/optimizer/market"
)

func init() {
	register(command{
		name:    "import",
		summary: "import villages|staff|items|requests|absences|calendars|closures|guide-rules from FILE.csv or FILE.json, or ledgers from FILE.xlsx (all or nothing)",
		run:     runImport,
	})
}

const importUsage = `usage: xunhui import KIND FILE [--crs wgs84|gcj02] [--format csv|json] [--by NAME] [--db FILE | --database-url URL]

KIND is one of:
  villages  surveyed village coordinates: CSV code,lon,lat[,provenance] (--crs gcj02 converts)
  staff     CSV id,name,role,skills,home_code[,department,home_point_id,phone,party_member,service_star,availability,leave,source]
  items     CSV id,name,category,kind,lowest_level,mode,duration_min,skill[,source]
  requests  CSV ledger,name,phone,village_id,items[,id,address,lon,lat,groups,priority,visit_windows,deadline,summary]
  absences  CSV staff_id,from,reason[,to,kind,id] (kind leave|sick|training|other; to defaults to from)
  ledgers   the three ledgers as one Excel workbook FILE.xlsx (sheets 代办事项, 民生诉求, 困难问题, as
            GET /api/v1/ledgers.xlsx exports them): new rows are created, rows with 编号 and 版本 edit
            that request; errors are reported as FILE:SHEET:ROW: field: reason
  calendars township market calendars: CSV township_id,cycle,start,end[,place,special_days]
            (cycle lunar:1,15 | solar:1,4,7 | every:5@2026-01-03 | weekdays:tue,sat; hours HH:MM;
            special_days "lunar:01-15 元宵灯会; solar:2026-10-01 国庆物资交流会")
  closures  road closures and walk-only villages: a GeoJSON FeatureCollection FILE.geojson, a
            LineString per closed road, a Point (trailhead) per walk-only village (see docs/geo.md);
            errors are reported as FILE:N: features[N-1].field: reason
  guide-rules  the whole set of guide rules (which county/township home visits bring the village
            agent), replacing the stored set: a JSON array of {"id","item_id"|"group","levels","note"}
or a JSON array of the same records (see docs/data.md). FILE "-" reads stdin (give --format).
Every bad line is reported; nothing is written unless all lines are good.`

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", stderr)
	cfg := addStoreFlags(fs)
	crs := fs.String("crs", "wgs84", "CRS of coordinates in the file: wgs84 or gcj02 (villages)")
	format := fs.String("format", "", "csv or json (default: from the file extension)")
	by := fs.String("by", "import", "user id recorded as creator of imported requests and absences")
	fs.Usage = func() { fmt.Fprintln(stderr, importUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return errUsage
	}
	kind, file := pos[0], pos[1]
	switch kind {
	case "villages", "staff", "items", "requests", "absences", "calendars", "closures", "guide-rules":
	case "ledgers":
		return importLedgers(ctx, *cfg, file, *by, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "xunhui import: unknown kind %q\n", kind)
		fs.Usage()
		return errUsage
	}
	f := strings.ToLower(*format)
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(file)), ".")
	}
	if f == "geojson" {
		f = "json"
	}
	if f != "csv" && f != "json" {
		return fmt.Errorf("cannot tell the format of %q: name it .csv or .json, or give --format", file)
	}
	var in io.Reader = os.Stdin
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return err
		}
		defer fh.Close()
		in = fh
	}
	s, err := openStoreConfig(ctx, *cfg, stdout)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := importFile(ctx, s, kind, f, *crs, *by, in)
	if err != nil {
		if rows := data.RowErrors(err); len(rows) > 0 {
			for _, r := range rows {
				fmt.Fprintf(stderr, "%s:%s\n", file, r.Error()[len("line "):])
			}
			return fmt.Errorf("%d bad line(s) in %s; nothing imported", len(rows), file)
		}
		return err
	}
	fmt.Fprintf(stdout, "imported %d %s from %s into %s\n", n, kind, file, cfg.describe())
	return nil
}

// importLedgers reads a ledger workbook and saves its rows all or nothing
// (data.Store.SaveRequests), reporting every bad row as FILE:SHEET:ROW.
func importLedgers(ctx context.Context, cfg storeConfig, file, by string, stdout, stderr io.Writer) error {
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	b, err := ledger.Parse(fh)
	rows := data.RowErrors(err)
	if err != nil && rows == nil {
		return err
	}
	if err == nil && len(b.Bad) == 0 {
		s, err := openStoreConfig(ctx, cfg, stdout)
		if err != nil {
			return err
		}
		defer s.Close()
		res, err := s.SaveRequests(ctx, b.Records, by)
		if err == nil {
			fmt.Fprintf(stdout, "ledgers from %s: %d created, %d updated, %d unchanged (%s)\n", file, res.Created, res.Updated, res.Unchanged, cfg.describe())
			return nil
		}
		if rows = data.RowErrors(err); rows == nil {
			return err
		}
		b.Relabel(err)
	}
	rows = append(rows, b.Bad...)
	for _, r := range rows {
		fmt.Fprintf(stderr, "%s:%s\n", file, r.Error())
	}
	return fmt.Errorf("%d bad row(s) in %s; nothing imported", len(rows), file)
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// importFile parses in (format csv or json) and writes the records of kind
// in one transaction. Every bad line (parser and store checks together) is
// reported in one Invalid error with line-numbered RowErrors, and then
// nothing is written.
func importFile(ctx context.Context, s data.Store, kind, format, crs, by string, in io.Reader) (int, error) {
	switch kind {
	case "closures":
		return importClosures(ctx, s, by, in)
	case "guide-rules":
		if format != "json" {
			return 0, data.Errorf(data.Invalid, "guide rules are imported from a JSON array (FILE.json or --format json)")
		}
		b, err := seed.ParseJSONArray(in, data.GuideRule.Validate)
		return write(ctx, b, err, func(ctx context.Context, recs []data.GuideRule) error { return s.ReplaceGuideRules(ctx, recs, by) })
	case "villages":
		var b seed.Batch[data.VillageLocation]
		var err error
		if format == "csv" {
			b, err = seed.ParseVillageLocationsCSV(in, crs)
		} else {
			gcj := strings.EqualFold(crs, "gcj02")
			b, err = seed.ParseJSONArray(in, func(l data.VillageLocation) error {
				if gcj { // validate the converted point, as it will be stored
					l.Location = wgs84FromGCJ02(l.Location)
				}
				return l.Validate()
			})
			if gcj {
				for i := range b.Records {
					p := &b.Records[i].Location
					*p = wgs84FromGCJ02(*p)
				}
			}
		}
		return write(ctx, b, err, func(ctx context.Context, recs []data.VillageLocation) error { return s.SetVillageLocations(ctx, recs) })
	case "staff":
		var b seed.Batch[data.Staff]
		var err error
		if format == "csv" {
			b, err = seed.ParseStaffCSV(in)
		} else {
			b, err = seed.ParseJSONArray(in, data.Staff.Validate)
		}
		return write(ctx, b, err, func(ctx context.Context, recs []data.Staff) error { return s.PutStaff(ctx, recs) })
	case "items":
		var b seed.Batch[data.ServiceItem]
		var err error
		if format == "csv" {
			b, err = seed.ParseItemsCSV(in)
		} else {
			b, err = seed.ParseJSONArray(in, data.ServiceItem.Validate)
		}
		return write(ctx, b, err, func(ctx context.Context, recs []data.ServiceItem) error { return s.PutServiceItems(ctx, recs) })
	case "requests":
		var b seed.Batch[data.Request]
		var err error
		if format == "csv" {
			b, err = seed.ParseRequestsCSV(in)
		} else {
			b, err = seed.ParseJSONArray(in, data.Request.Validate)
			for i := range b.Records {
				if b.Records[i].Source == "" {
					b.Records[i].Source = "import"
				}
			}
		}
		return write(ctx, b, err, func(ctx context.Context, recs []data.Request) error { return s.ImportRequests(ctx, recs, by) })
	case "absences":
		var b seed.Batch[data.Absence]
		var err error
		if format == "csv" {
			b, err = seed.ParseAbsencesCSV(in)
		} else {
			b, err = seed.ParseJSONArray(in, data.Absence.Validate)
		}
		return write(ctx, b, err, func(ctx context.Context, recs []data.Absence) error { return s.ImportAbsences(ctx, recs, by) })
	case "calendars":
		var b seed.Batch[data.MarketCycle]
		var err error
		if format == "csv" {
			b, err = seed.ParseCalendarsCSV(in, market.CheckMarketCycle)
		} else {
			var ins seed.Batch[market.CalendarInput]
			ins, err = seed.ParseJSONArray(in, func(ci market.CalendarInput) error { _, err := market.MarketCycleOf(ci); return err })
			b.Bad, b.Lines = ins.Bad, ins.Lines
			for _, ci := range ins.Records {
				mc, _ := market.MarketCycleOf(ci) // validated above
				b.Records = append(b.Records, mc)
			}
		}
		return write(ctx, b, err, func(ctx context.Context, recs []data.MarketCycle) error { return s.PutMarketCycles(ctx, recs) })
	}
	return 0, fmt.Errorf("unknown kind %q", kind)
}

// write checks the parsed batch against the store in a dry run, merges the
// store's bad rows with the parser's, and writes only if there are none.
func write[T any](ctx context.Context, b seed.Batch[T], parseErr error, put func(context.Context, []T) error) (int, error) {
	if parseErr != nil {
		return 0, parseErr
	}
	bad := slices.Clone(b.Bad)
	if len(b.Records) > 0 {
		err := put(data.DryRun(ctx), b.Records)
		rows := data.RowErrors(err)
		if err != nil && rows == nil {
			return 0, err
		}
		ie := &data.ImportError{Rows: rows}
		ie.Relabel(b.Lines)
		bad = append(bad, ie.Rows...)
	}
	if len(bad) > 0 {
		slices.SortStableFunc(bad, func(x, y data.RowError) int { return x.Line - y.Line })
		return 0, data.NewImportError("import", bad)
	}
	if len(b.Records) == 0 {
		return 0, data.Errorf(data.Invalid, "no records in the file")
	}
	return len(b.Records), put(ctx, b.Records)
}

// wgs84FromGCJ02 converts a point copied from a Chinese web map (GCJ-02) to
// WGS84, as stored.
func wgs84FromGCJ02(p data.Point) data.Point {
	w := geo.GCJ02ToWGS84(orb.Point{p.Lon, p.Lat})
	return data.Point{Lon: w[0], Lat: w[1]}
}

// importClosures reads a GeoJSON FeatureCollection of closures and stores
// them all or nothing; bad features are numbered as in the file (1-based).
func importClosures(ctx context.Context, s data.Store, by string, in io.Reader) (int, error) {
	body, err := io.ReadAll(io.LimitReader(in, 64<<20))
	if err != nil {
		return 0, err
	}
	cs, err := data.ParseClosuresGeoJSON(body)
	if err != nil {
		return 0, err
	}
	if err := s.ImportClosures(ctx, cs, by); err != nil {
		if rows := data.RowErrors(err); rows != nil {
			for i := range rows {
				rows[i].Field = fmt.Sprintf("features[%d].properties.%s", rows[i].Line-1, rows[i].Field)
			}
		}
		return 0, err
	}
	return len(cs), nil
}
